package dev.sluice.control.datapath;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Keeps the calling thread on the CPU it runs on. BPF_PROG_RUN runs a program on the caller's CPU,
 * so a test of per-CPU state (the reply budget's token buckets) must not move between runs.
 */
final class OneCpu {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SCHED_GETCPU = LINKER.downcallHandle(
            LINKER.defaultLookup().find("sched_getcpu").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle SCHED_SETAFFINITY = LINKER.downcallHandle(
            LINKER.defaultLookup().find("sched_setaffinity").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    /** glibc's cpu_set_t: 1024 CPUs. */
    private static final int CPU_SET_BYTES = 128;

    private OneCpu() {
    }

    /** Pins the calling thread to its current CPU for the rest of its life. */
    static void pinHere() {
        try (Arena arena = Arena.ofConfined()) {
            int cpu = (int) SCHED_GETCPU.invokeExact();
            MemorySegment mask = arena.allocate(CPU_SET_BYTES);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            int rc = (int) SCHED_SETAFFINITY.invokeExact(0, (long) CPU_SET_BYTES, mask);
            if (rc != 0) {
                throw new IllegalStateException("sched_setaffinity failed");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
