package dev.sluice.cli;

import dev.sluice.control.datapath.AffinityKey;
import dev.sluice.control.datapath.AffinityValue;
import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.ConntrackValue;
import dev.sluice.control.datapath.DatapathConfig;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import dev.sluice.control.datapath.TrafficCounter;
import dev.sluice.control.datapath.Tuple;
import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.BpfMap;
import dev.sluice.ffm.Errno;
import dev.sluice.ffm.MapCodec;
import dev.sluice.ffm.MapHandle;
import dev.sluice.ffm.MapInfo;
import dev.sluice.ffm.MapLayoutException;
import dev.sluice.ffm.MapType;
import dev.sluice.ffm.PerCpuBpfMap;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The datapath's maps as the agent pinned them under {@code <bpffs-root>/maps}, opened one by one
 * when first needed and only ever read: nothing here updates or deletes an entry.
 *
 * <p>Every way opening can go wrong becomes a {@link CliException} with one line that says what
 * to do: no maps (which path was tried), no privileges, or a layout other than the one this CLI
 * was built with.
 */
public final class PinnedMaps implements AutoCloseable {
    /** The values of the set-like LPM maps: a u8 whose presence is what counts. */
    static final MapCodec<Byte> PRESENT = MapCodec.of(ValueLayout.JAVA_BYTE,
            (v, s) -> s.set(ValueLayout.JAVA_BYTE, 0, v), s -> s.get(ValueLayout.JAVA_BYTE, 0));

    private final Path bpffsRoot;
    private final Path directory;
    private final List<AutoCloseable> opened = new ArrayList<>();

    public PinnedMaps(Path bpffsRoot) {
        this.bpffsRoot = bpffsRoot;
        this.directory = bpffsRoot.resolve("maps");
    }

    public Path directory() {
        return directory;
    }

    public BpfMap<Integer, DatapathConfig> config() {
        return plain(DatapathMaps.CONFIG, MapType.ARRAY, MapCodec.u32(), DatapathConfig.CODEC);
    }

    public BpfMap<FrontendKey, FrontendValue> frontends() {
        return plain(DatapathMaps.FRONTENDS, MapType.HASH, FrontendKey.CODEC, FrontendValue.CODEC);
    }

    public BpfMap<Integer, ServiceValue> services() {
        return plain(DatapathMaps.SERVICES, MapType.HASH, MapCodec.u32(), ServiceValue.CODEC);
    }

    public BpfMap<Integer, BackendValue> backends() {
        return plain(DatapathMaps.BACKENDS, MapType.HASH, MapCodec.u32(), BackendValue.CODEC);
    }

    public BpfMap<Integer, ServiceName> names() {
        return plain(DatapathMaps.NAMES, MapType.HASH, MapCodec.u32(), ServiceName.CODEC);
    }

    public BpfMap<SourceRangeKey, Byte> sourceRanges() {
        return plain(DatapathMaps.SOURCE_RANGES, MapType.LPM_TRIE, SourceRangeKey.CODEC, PRESENT);
    }

    public BpfMap<AffinityKey, AffinityValue> affinity() {
        return plain(DatapathMaps.AFFINITY, MapType.LRU_HASH, AffinityKey.CODEC, AffinityValue.CODEC);
    }

    public PerCpuBpfMap<Integer, TrafficCounter> traffic() {
        return perCpu(DatapathMaps.TRAFFIC, MapType.PERCPU_HASH, MapCodec.u32(), TrafficCounter.CODEC);
    }

    public PerCpuBpfMap<Integer, Long> drops() {
        return perCpu(DatapathMaps.DROPS, MapType.PERCPU_ARRAY, MapCodec.u32(), MapCodec.u64());
    }

    /** svc_maglev: service id -> id of the inner array holding its table. */
    public BpfMap<Integer, Integer> maglevOuter() {
        return plain(DatapathMaps.MAGLEV, MapType.HASH_OF_MAPS, MapCodec.u32(), MapCodec.u32());
    }

    /**
     * Every connection tracking entry, both families. The value's addresses decode by the key's
     * family, so the raw map is walked once and each entry decoded with its family's codec.
     */
    public Map<Tuple, ConntrackValue> conntrack() {
        long valueSize = ConntrackValue.LAYOUT.byteSize();
        MapHandle handle = open(DatapathMaps.CONNTRACK, MapType.LRU_HASH, Tuple.CODEC.byteSize(), valueSize);
        // The value's addresses decode by the key's family: read raw values in batches, then
        // decode each with the codec of its key's family.
        MapCodec<byte[]> raw = MapCodec.of(ConntrackValue.LAYOUT,
                (bytes, s) -> MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length),
                s -> s.toArray(ValueLayout.JAVA_BYTE));
        Map<Tuple, byte[]> rawEntries = new BpfMap<>(handle, Tuple.CODEC, raw).lookupBatch();
        Map<Tuple, ConntrackValue> entries = new LinkedHashMap<>();
        MapCodec<ConntrackValue> v4 = ConntrackValue.codec(4);
        MapCodec<ConntrackValue> v6 = ConntrackValue.codec(6);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(valueSize, 8);
            rawEntries.forEach((key, bytes) -> {
                MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, bytes.length);
                entries.put(key, (key.source().getAddress().length == 4 ? v4 : v6).decode(buffer));
            });
        }
        return entries;
    }

    /**
     * A service's Maglev table, slot by slot, or empty when none is installed. The inner map is
     * opened by the id svc_maglev holds; when the agent swaps the table between the two steps the
     * old id is gone, so the lookup is repeated.
     */
    public Optional<int[]> maglevTable(int serviceId) {
        BpfMap<Integer, Integer> outer = maglevOuter();
        for (int attempt = 0; ; attempt++) {
            Optional<Integer> innerId = outer.lookup(serviceId);
            if (innerId.isEmpty()) {
                return Optional.empty();
            }
            MapHandle inner;
            try {
                inner = MapHandle.openById(innerId.get());
            } catch (BpfException e) {
                if (e.errno() == Errno.ENOENT && attempt < 3) {
                    continue;
                }
                throw translate(e, "the Maglev table of service " + serviceId + " (map id "
                        + Integer.toUnsignedString(innerId.get()) + ")", directory.resolve(DatapathMaps.MAGLEV));
            }
            try (inner) {
                MapInfo info = inner.info();
                if (info.type() != MapType.ARRAY || info.keySize() != 4 || info.valueSize() != 4) {
                    throw mismatch("the Maglev table of service " + serviceId, info, MapType.ARRAY, 4, 4);
                }
                BpfMap<Integer, Integer> table = new BpfMap<>(inner, MapCodec.u32(), MapCodec.u32());
                int[] slots = new int[info.maxEntries()];
                table.lookupBatch().forEach((slot, backend) -> {
                    if (slot >= 0 && slot < slots.length) {
                        slots[slot] = backend;
                    }
                });
                return Optional.of(slots);
            }
        }
    }

    private <K, V> BpfMap<K, V> plain(String name, MapType type, MapCodec<K> key, MapCodec<V> value) {
        MapHandle handle = open(name, type, key.byteSize(), value.byteSize());
        try {
            return new BpfMap<>(handle, key, value);
        } catch (MapLayoutException e) {
            throw mismatch("map " + name, handle.info(), type, key.byteSize(), value.byteSize());
        }
    }

    private <K, V> PerCpuBpfMap<K, V> perCpu(String name, MapType type, MapCodec<K> key, MapCodec<V> value) {
        MapHandle handle = open(name, type, key.byteSize(), value.byteSize());
        try {
            return new PerCpuBpfMap<>(handle, key, value);
        } catch (MapLayoutException e) {
            throw mismatch("map " + name, handle.info(), type, key.byteSize(), value.byteSize());
        }
    }

    /** Opens a pin and checks its type and sizes against what this CLI was built with. */
    private MapHandle open(String name, MapType type, long keySize, long valueSize) {
        Path pin = directory.resolve(name);
        MapHandle handle;
        try {
            handle = MapHandle.openPinned(pin);
        } catch (BpfException e) {
            throw translate(e, "map " + name, pin);
        }
        opened.add(handle);
        MapInfo info = handle.info();
        if (info.keySize() != keySize || info.valueSize() != valueSize || info.type() != type) {
            throw mismatch("map " + name, info, type, keySize, valueSize);
        }
        return handle;
    }

    private static CliException mismatch(String what, MapInfo info, MapType type, long keySize, long valueSize) {
        if (info.keySize() != keySize || info.valueSize() != valueSize) {
            return new CliException(ExitCodes.VERSION_MISMATCH, what + " has key/value sizes " + info.keySize()
                    + "/" + info.valueSize() + ", this sluice CLI expects " + keySize + "/" + valueSize
                    + ": versions differ");
        }
        return new CliException(ExitCodes.VERSION_MISMATCH, what + " is of type " + info.type()
                + ", this sluice CLI expects " + type + ": versions differ");
    }

    private CliException translate(BpfException e, String what, Path pin) {
        int errno = e.errno();
        if (errno == Errno.EPERM || errno == Errno.EACCES) {
            return new CliException(ExitCodes.PERMISSION, "permission denied opening " + what + " at " + pin
                    + " (" + e.errnoName() + "): reading the datapath's maps needs root (CAP_BPF and CAP_SYS_ADMIN)");
        }
        if (errno == Errno.ENOENT) {
            if (!exists(directory)) {
                Path missing = exists(bpffsRoot) ? directory : bpffsRoot;
                return new CliException(ExitCodes.NO_MAPS, "no sluice maps at " + directory + ": " + missing
                        + " does not exist (has the agent run on this node? is --bpffs-root or SLUICE_BPFFS_ROOT right?)");
            }
            return new CliException(ExitCodes.NO_MAPS, what + " is not pinned at " + pin
                    + " (agent not running, or older than this CLI?)");
        }
        if (errno == Errno.EINVAL && e.getMessage().contains("is not a pinned BPF map")) {
            return new CliException(ExitCodes.VERSION_MISMATCH, pin + " is not a BPF map");
        }
        return new CliException(ExitCodes.FAILURE, "cannot open " + what + " at " + pin + ": "
                + e.getMessage().lines().findFirst().orElse(e.errnoName()));
    }

    /** Whether a path exists; a directory we may not look into is reported as a privilege problem. */
    private static boolean exists(Path path) {
        try {
            Files.readAttributes(path, BasicFileAttributes.class);
            return true;
        } catch (AccessDeniedException denied) {
            throw new CliException(ExitCodes.PERMISSION, "permission denied looking at " + path
                    + ": reading the datapath's maps needs root (CAP_BPF and CAP_SYS_ADMIN)");
        } catch (IOException absent) {
            return false;
        }
    }

    @Override
    public void close() {
        for (AutoCloseable handle : opened) {
            try {
                handle.close();
            } catch (Exception ignored) {
                // Closing an fd cannot fail in a way worth reporting.
            }
        }
        opened.clear();
    }
}
