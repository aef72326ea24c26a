package dev.sluice.ffm;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sluice.ffm.jextract.SluiceNative;
import dev.sluice.ffm.jextract.bpf_map_create_opts;
import dev.sluice.ffm.jextract.bpf_map_info;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * An untyped map file descriptor plus what the kernel says about the map. A handle either owns its
 * fd (opened from a pin, or created) and closes it, or borrows it from a {@link BpfObject}, in which
 * case the object's close ends it.
 */
public final class MapHandle implements AutoCloseable {
    private final int fd;
    private final MapInfo info;
    private final BpfObject owner;
    private volatile boolean closed;

    private MapHandle(int fd, MapInfo info, BpfObject owner) {
        this.fd = fd;
        this.info = info;
        this.owner = owner;
    }

    static MapHandle borrowed(int fd, String fullName, BpfObject owner) {
        return new MapHandle(fd, withName(queryInfo(fd), fullName), owner);
    }

    // The kernel keeps 15 characters of a name; libbpf and pin paths know the whole of it.
    private static MapInfo withName(MapInfo info, String fullName) {
        if (fullName == null || !fullName.startsWith(info.name())) {
            return info;
        }
        return new MapInfo(fullName, info.type(), info.keySize(), info.valueSize(), info.maxEntries(),
                info.flags(), info.id());
    }

    /** Opens a map pinned on a bpffs. The handle owns the new fd. */
    public static MapHandle openPinned(Path path) {
        LibbpfLog.install();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = SluiceNative.bpf_obj_get(arena.allocateFrom(path.toString()));
        }
        if (fd < 0) {
            throw new BpfException("cannot open pinned map " + path, fd);
        }
        MapInfo info;
        try {
            info = queryInfo(fd);
        } catch (BpfException notAMap) {
            SluiceNative.close(fd);
            throw new BpfException(path + " is not a pinned BPF map", notAMap.errno());
        }
        return new MapHandle(fd, withName(info, path.getFileName().toString()), null);
    }

    /**
     * Opens a map by its kernel id, for example the inner map a map-in-map lookup returns. The
     * handle owns the new fd. Needs CAP_SYS_ADMIN (or CAP_BPF); a map that no longer exists fails
     * with ENOENT.
     */
    public static MapHandle openById(int id) {
        LibbpfLog.install();
        int fd = SluiceNative.bpf_map_get_fd_by_id(id);
        if (fd < 0) {
            throw new BpfException("cannot open map with id " + Integer.toUnsignedString(id), fd);
        }
        try {
            return new MapHandle(fd, queryInfo(fd), null);
        } catch (RuntimeException failure) {
            SluiceNative.close(fd);
            throw failure;
        }
    }

    /** Creates a map outside any object, for example an inner map of a map-in-map. */
    public static MapHandle create(MapType type, String name, int keySize, int valueSize,
                                   int maxEntries, int flags) {
        LibbpfLog.install();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = bpf_map_create_opts.allocate(arena);
            bpf_map_create_opts.sz(opts, bpf_map_create_opts.layout().byteSize());
            bpf_map_create_opts.map_flags(opts, flags);
            int fd = SluiceNative.bpf_map_create(type.value(), arena.allocateFrom(name), keySize,
                    valueSize, maxEntries, opts);
            if (fd < 0) {
                throw new BpfException("cannot create " + type + " map '" + name + "'", fd);
            }
            return new MapHandle(fd, queryInfo(fd), null);
        }
    }

    static MapInfo queryInfo(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = bpf_map_info.allocate(arena);
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) info.byteSize());
            int rc = SluiceNative.bpf_obj_get_info_by_fd(fd, info, length);
            if (rc < 0) {
                throw new BpfException("cannot read map info of fd " + fd, rc);
            }
            return new MapInfo(bpf_map_info.name(info).getString(0),
                    MapType.of(bpf_map_info.type(info)), bpf_map_info.key_size(info),
                    bpf_map_info.value_size(info), bpf_map_info.max_entries(info),
                    bpf_map_info.map_flags(info), bpf_map_info.id(info));
        }
    }

    public MapInfo info() {
        return info;
    }

    public String name() {
        return info.name();
    }

    /** The live fd; fails once this handle or its object is closed. */
    public int fd() {
        if (closed || (owner != null && owner.isClosed())) {
            throw new IllegalStateException("map '" + info.name() + "' is closed");
        }
        return fd;
    }

    /** Pins the map at {@code path} on a bpffs so it outlives this process. */
    public void pin(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = SluiceNative.bpf_obj_pin(fd(), arena.allocateFrom(path.toString()));
            if (rc < 0) {
                throw new BpfException("cannot pin map '" + info.name() + "' at " + path, rc);
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (owner == null) {
                SluiceNative.close(fd);
            }
        }
    }
}
