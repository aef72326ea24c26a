package dev.sluice.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * libbpf's {@code bpf_map_lookup_and_delete_elem}, linked by hand: it is not among the functions
 * the committed jextract bindings were generated for (jextract/includes.txt); the next
 * regeneration should add it there and drop this class.
 */
final class LookupAndDelete {
    private static final MethodHandle CALL = Linker.nativeLinker().downcallHandle(
            SymbolLookup.libraryLookup("libbpf.so.1", Arena.global()).find("bpf_map_lookup_and_delete_elem").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private LookupAndDelete() {
    }

    /** Returns libbpf's result: 0, or a negative errno. */
    static int call(int fd, MemorySegment key, MemorySegment value) {
        try {
            return (int) CALL.invokeExact(fd, key, value);
        } catch (Throwable impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
