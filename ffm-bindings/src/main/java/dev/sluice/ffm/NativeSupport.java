package dev.sluice.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Small pieces shared by the safe API: C strings and downcalls that capture errno. libbpf's
 * pointer-returning functions report failure as NULL plus errno, and errno read by a later,
 * separate downcall is not reliable in the JVM, so those calls capture it atomically.
 */
public final class NativeSupport {
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private NativeSupport() {
    }

    /** A downcall to {@code address} whose first parameter is a call-state segment receiving errno. */
    public static MethodHandle errnoCapturing(MemorySegment address, FunctionDescriptor descriptor,
                                              Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(extra, 0, options, 1, extra.length);
        return Linker.nativeLinker().downcallHandle(address, descriptor, options);
    }

    public static MemorySegment allocateCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    public static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** A NUL-terminated C string, or {@code null} for NULL. */
    public static String string(MemorySegment pointer) {
        if (pointer == null || pointer.equals(MemorySegment.NULL)) {
            return null;
        }
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Rethrows what a {@code MethodHandle.invokeExact} threw, without checked-exception noise. */
    public static RuntimeException propagate(Throwable thrown) {
        if (thrown instanceof RuntimeException runtime) {
            return runtime;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(thrown);
    }
}
