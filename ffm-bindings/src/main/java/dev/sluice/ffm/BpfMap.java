package dev.sluice.ffm;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** A map with one value per key, typed through codecs whose sizes are checked against the map. */
public final class BpfMap<K, V> extends AbstractBpfMap<K, V> {
    private final MapCodec<V> valueCodec;

    public BpfMap(MapHandle handle, MapCodec<K> keyCodec, MapCodec<V> valueCodec) {
        super(handle, keyCodec);
        this.valueCodec = valueCodec;
        if (handle.info().type().perCpu()) {
            throw new MapLayoutException("map '" + handle.name() + "' is " + handle.info().type()
                    + "; open it as a PerCpuBpfMap");
        }
        if (valueCodec.byteSize() != handle.info().valueSize()) {
            throw new MapLayoutException("map '" + handle.name() + "': value codec is "
                    + valueCodec.byteSize() + " bytes but the map's value_size is "
                    + handle.info().valueSize());
        }
    }

    /** Opens a pinned map; this map owns the fd. */
    public static <K, V> BpfMap<K, V> openPinned(Path path, MapCodec<K> keyCodec, MapCodec<V> valueCodec) {
        MapHandle handle = MapHandle.openPinned(path);
        try {
            return new BpfMap<>(handle, keyCodec, valueCodec);
        } catch (RuntimeException mismatch) {
            handle.close();
            throw mismatch;
        }
    }

    @Override
    protected long valueBufferSize() {
        return valueCodec.byteSize();
    }

    @Override
    protected void encodeValue(V value, MemorySegment target) {
        valueCodec.encode(value, target);
    }

    @Override
    protected V decodeValue(MemorySegment source) {
        return valueCodec.decode(source);
    }
}
