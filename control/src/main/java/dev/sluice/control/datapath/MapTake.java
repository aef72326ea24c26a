package dev.sluice.control.datapath;

import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.Errno;
import dev.sluice.ffm.MapHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * BPF_MAP_LOOKUP_AND_DELETE_ELEM (hash maps since Linux 5.14), through libbpf: deletes a key and
 * returns the value it held at that moment. The kernel finds, copies and unlinks the element under
 * the bucket lock that the datapath's own replacements take, so what is returned is exactly what
 * was deleted, where a lookup followed by a delete may delete an entry the lookup never saw.
 */
final class MapTake {
    private static final MethodHandle LOOKUP_AND_DELETE = Linker.nativeLinker().downcallHandle(
            SymbolLookup.libraryLookup("libbpf.so.1", Arena.global()).find("bpf_map_lookup_and_delete_elem").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private MapTake() {
    }

    /** Deletes {@code key}, leaving its value in {@code value}; false when the key was not there. */
    static boolean take(MapHandle map, MemorySegment key, MemorySegment value) {
        int rc;
        try {
            rc = (int) LOOKUP_AND_DELETE.invokeExact(map.fd(), key, value);
        } catch (Throwable impossible) {
            throw new IllegalStateException(impossible);
        }
        if (rc == -Errno.ENOENT) {
            return false;
        }
        if (rc < 0) {
            throw new BpfException("map '" + map.name() + "': cannot take an entry", -rc);
        }
        return true;
    }
}
