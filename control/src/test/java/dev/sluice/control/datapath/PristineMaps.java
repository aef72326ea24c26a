package dev.sluice.control.datapath;

import dev.sluice.ffm.BpfMap;
import dev.sluice.ffm.MapCodec;
import dev.sluice.ffm.MapHandle;
import dev.sluice.ffm.MapInfo;
import dev.sluice.ffm.MapType;
import dev.sluice.ffm.PerCpuBpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;

/**
 * Any datapath map as a fresh load has it: arrays all zeros, every other map empty. Maps are
 * handled by type, not by name, so a map added to the datapath is covered without a word here; a
 * type this class cannot put back fails loudly rather than leaving state for the next test.
 */
final class PristineMaps {
    /** BPF_F_RDONLY_PROG: programs cannot write the map (.rodata, .kconfig), so it holds no state. */
    private static final int READ_ONLY_FOR_PROGRAMS = 1 << 7;

    private PristineMaps() {
    }

    static void clear(MapHandle handle) {
        MapInfo info = handle.info();
        switch (kind(info)) {
            case STATELESS -> { }
            case ARRAY -> {
                BpfMap<byte[], byte[]> map = plain(handle);
                for (int slot = 0; slot < info.maxEntries(); slot++) {
                    map.put(slot(slot), new byte[info.valueSize()]);
                }
            }
            case PER_CPU_ARRAY -> {
                PerCpuBpfMap<byte[], byte[]> map = perCpu(handle);
                for (int slot = 0; slot < info.maxEntries(); slot++) {
                    map.put(slot(slot), Collections.nCopies(map.cpus(), new byte[info.valueSize()]));
                }
            }
            case KEYED -> {
                // Keys first, deletes after: deleting while walking may skip keys.
                BpfMap<byte[], byte[]> map = plain(handle);
                map.keys().forEach(map::delete);
            }
            case PER_CPU_KEYED -> {
                PerCpuBpfMap<byte[], byte[]> map = perCpu(handle);
                map.keys().forEach(map::delete);
            }
        }
    }

    private enum Kind { STATELESS, ARRAY, PER_CPU_ARRAY, KEYED, PER_CPU_KEYED }

    private static Kind kind(MapInfo info) {
        if ((info.flags() & READ_ONLY_FOR_PROGRAMS) != 0) {
            return Kind.STATELESS;
        }
        if (info.name().endsWith(".data")) {
            // Its pristine state is the object's initial values, which are not zeros.
            throw new IllegalStateException("map " + info.name() + ": cannot restore initialised globals");
        }
        return switch (info.type()) {
            case ARRAY -> Kind.ARRAY;
            case PERCPU_ARRAY -> Kind.PER_CPU_ARRAY;
            case HASH, LRU_HASH, LPM_TRIE, HASH_OF_MAPS -> Kind.KEYED;
            case PERCPU_HASH, LRU_PERCPU_HASH -> Kind.PER_CPU_KEYED;
            default -> throw new IllegalStateException("map " + info.name() + ": cannot empty a " + info.type());
        };
    }

    static BpfMap<byte[], byte[]> plain(MapHandle handle) {
        return new BpfMap<>(handle, MapCodec.bytes(handle.info().keySize()), MapCodec.bytes(handle.info().valueSize()));
    }

    static PerCpuBpfMap<byte[], byte[]> perCpu(MapHandle handle) {
        return new PerCpuBpfMap<>(handle, MapCodec.bytes(handle.info().keySize()),
                MapCodec.bytes(handle.info().valueSize()));
    }

    /** An array index as the kernel reads it: a native-order u32. */
    static byte[] slot(int index) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(index).array();
    }
}
