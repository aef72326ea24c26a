package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A per-CPU map: each key has one value per possible CPU. The kernel exchanges them as one buffer
 * of {@code possibleCpus} slots, each rounded up to 8 bytes.
 */
public final class PerCpuBpfMap<K, V> extends AbstractBpfMap<K, List<V>> {
    private static final int POSSIBLE_CPUS = possibleCpus();

    private final MapCodec<V> valueCodec;
    private final long slotSize;

    public PerCpuBpfMap(MapHandle handle, MapCodec<K> keyCodec, MapCodec<V> valueCodec) {
        super(handle, keyCodec);
        this.valueCodec = valueCodec;
        if (!handle.info().type().perCpu()) {
            throw new MapLayoutException("map '" + handle.name() + "' is " + handle.info().type()
                    + ", not a per-CPU map; open it as a BpfMap");
        }
        if (valueCodec.byteSize() != handle.info().valueSize()) {
            throw new MapLayoutException("map '" + handle.name() + "': value codec is "
                    + valueCodec.byteSize() + " bytes but the map's value_size is "
                    + handle.info().valueSize());
        }
        this.slotSize = (valueCodec.byteSize() + 7) & ~7L;
    }

    public static <K, V> PerCpuBpfMap<K, V> openPinned(Path path, MapCodec<K> keyCodec,
                                                       MapCodec<V> valueCodec) {
        MapHandle handle = MapHandle.openPinned(path);
        try {
            return new PerCpuBpfMap<>(handle, keyCodec, valueCodec);
        } catch (RuntimeException mismatch) {
            handle.close();
            throw mismatch;
        }
    }

    /** The number of value slots every entry has. */
    public static int possibleCpus() {
        LibbpfLog.install();
        int cpus = SluiceNative.libbpf_num_possible_cpus();
        if (cpus <= 0) {
            throw new BpfException("cannot count possible CPUs", cpus);
        }
        return cpus;
    }

    public int cpus() {
        return POSSIBLE_CPUS;
    }

    @Override
    protected long valueBufferSize() {
        return slotSize * POSSIBLE_CPUS;
    }

    @Override
    protected void encodeValue(List<V> values, MemorySegment target) {
        if (values.size() != POSSIBLE_CPUS) {
            throw new IllegalArgumentException("map '" + name() + "': per-CPU value needs "
                    + POSSIBLE_CPUS + " entries, got " + values.size());
        }
        for (int cpu = 0; cpu < POSSIBLE_CPUS; cpu++) {
            valueCodec.encode(values.get(cpu), target.asSlice(cpu * slotSize, valueCodec.byteSize()));
        }
    }

    @Override
    protected List<V> decodeValue(MemorySegment source) {
        List<V> values = new ArrayList<>(POSSIBLE_CPUS);
        for (int cpu = 0; cpu < POSSIBLE_CPUS; cpu++) {
            values.add(valueCodec.decode(source.asSlice(cpu * slotSize, valueCodec.byteSize())));
        }
        return values;
    }
}
