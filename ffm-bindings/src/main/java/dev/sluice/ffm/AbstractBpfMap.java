package dev.sluice.ffm;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sluice.ffm.jextract.SluiceNative;
import dev.sluice.ffm.jextract.bpf_map_batch_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Operations shared by plain and per-CPU typed maps; subclasses only say how a Java value becomes
 * the value buffer the syscall reads and writes.
 */
public abstract sealed class AbstractBpfMap<K, V> implements AutoCloseable
        permits BpfMap, PerCpuBpfMap {
    private static final int DEFAULT_BATCH = 256;

    protected final MapHandle handle;
    protected final MapCodec<K> keyCodec;

    protected AbstractBpfMap(MapHandle handle, MapCodec<K> keyCodec) {
        this.handle = handle;
        this.keyCodec = keyCodec;
        if (keyCodec.byteSize() != handle.info().keySize()) {
            throw new MapLayoutException("map '" + handle.name() + "': key codec is "
                    + keyCodec.byteSize() + " bytes but the map's key_size is "
                    + handle.info().keySize());
        }
    }

    /** Bytes of one value as the syscall exchanges it. */
    protected abstract long valueBufferSize();

    protected abstract void encodeValue(V value, MemorySegment target);

    protected abstract V decodeValue(MemorySegment source);

    public MapInfo info() {
        return handle.info();
    }

    public String name() {
        return handle.name();
    }

    public MapHandle handle() {
        return handle;
    }

    public Optional<V> lookup(K key) {
        return readValue(key, "lookup in", SluiceNative::bpf_map_lookup_elem);
    }

    public void put(K key, V value) {
        update(key, value, UpdateMode.ANY);
    }

    public void update(K key, V value, UpdateMode mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keyBuffer = encodeKey(arena, key);
            MemorySegment valueBuffer = encodeValueBuffer(arena, value);
            int rc = SluiceNative.bpf_map_update_elem(handle.fd(), keyBuffer, valueBuffer, mode.flags());
            checkUpdate(rc, mode);
        }
    }

    /**
     * Deletes the key and returns the value it held at that moment (BPF_MAP_LOOKUP_AND_DELETE_ELEM,
     * hash maps since Linux 5.14). The kernel finds, copies and unlinks the element under the bucket
     * lock that a BPF program's own updates take, so what is returned is exactly what was deleted,
     * where a lookup followed by a delete may delete a value the lookup never saw.
     */
    public Optional<V> lookupAndDelete(K key) {
        return readValue(key, "lookup and delete in", LookupAndDelete::call);
    }

    /** A libbpf call that reads one key's value into a buffer: 0, or a negative errno. */
    private interface ValueCall {
        int call(int fd, MemorySegment key, MemorySegment value);
    }

    private Optional<V> readValue(K key, String action, ValueCall call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keyBuffer = encodeKey(arena, key);
            MemorySegment valueBuffer = arena.allocate(valueBufferSize(), 8);
            int rc = call.call(handle.fd(), keyBuffer, valueBuffer);
            if (rc == -Errno.ENOENT) {
                return Optional.empty();
            }
            check(rc, action);
            return Optional.of(decodeValue(valueBuffer));
        }
    }

    /** Deletes the key; false when it was not there. */
    public boolean delete(K key) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = SluiceNative.bpf_map_delete_elem(handle.fd(), encodeKey(arena, key));
            if (rc == -Errno.ENOENT) {
                return false;
            }
            check(rc, "delete from");
            return true;
        }
    }

    /** Every key, walked with {@code BPF_MAP_GET_NEXT_KEY}. */
    public List<K> keys() {
        List<K> keys = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            long size = keyCodec.byteSize();
            MemorySegment current = arena.allocate(size, 8);
            MemorySegment next = arena.allocate(size, 8);
            MemorySegment previous = MemorySegment.NULL;
            while (true) {
                int rc = SluiceNative.bpf_map_get_next_key(handle.fd(), previous, next);
                if (rc == -Errno.ENOENT) {
                    return keys;
                }
                check(rc, "iterate");
                keys.add(keyCodec.decode(next));
                current.copyFrom(next);
                previous = current;
            }
        }
    }

    /** Every entry, one lookup per key; keys deleted meanwhile are skipped. */
    public Map<K, V> entries() {
        Map<K, V> entries = new LinkedHashMap<>();
        for (K key : keys()) {
            lookup(key).ifPresent(value -> entries.put(key, value));
        }
        return entries;
    }

    /** Every entry through {@code BPF_MAP_LOOKUP_BATCH}, {@value #DEFAULT_BATCH} per syscall. */
    public Map<K, V> lookupBatch() {
        return lookupBatch(DEFAULT_BATCH);
    }

    public Map<K, V> lookupBatch(int perCall) {
        Map<K, V> entries = new LinkedHashMap<>();
        long keySize = keyCodec.byteSize();
        long valueSize = valueBufferSize();
        try (Arena arena = Arena.ofConfined()) {
            // Hash maps use a 4-byte bucket cursor, arrays a key: the larger of the two fits both.
            long tokenSize = Math.max(8, keySize);
            MemorySegment inToken = MemorySegment.NULL;
            MemorySegment outToken = arena.allocate(tokenSize, 8);
            MemorySegment spareToken = arena.allocate(tokenSize, 8);
            MemorySegment keys = arena.allocate(keySize * perCall, 8);
            MemorySegment values = arena.allocate(valueSize * perCall, 8);
            MemorySegment count = arena.allocate(JAVA_INT);
            MemorySegment opts = batchOpts(arena, UpdateMode.ANY);
            while (true) {
                count.set(JAVA_INT, 0, perCall);
                int rc = SluiceNative.bpf_map_lookup_batch(handle.fd(), inToken, outToken, keys,
                        values, count, opts);
                if (rc < 0 && rc != -Errno.ENOENT) {
                    check(rc, "batch lookup in");
                }
                int read = count.get(JAVA_INT, 0);
                for (int i = 0; i < read; i++) {
                    entries.put(keyCodec.decode(keys.asSlice(i * keySize, keySize)),
                            decodeValue(values.asSlice(i * valueSize, valueSize)));
                }
                if (rc == -Errno.ENOENT) {
                    return entries;
                }
                MemorySegment used = outToken;
                outToken = inToken.equals(MemorySegment.NULL) ? spareToken : inToken;
                inToken = used;
            }
        }
    }

    /**
     * Creates or overwrites all entries with {@code BPF_MAP_UPDATE_BATCH}; returns how many were
     * written. Kernels refuse NO_EXIST/EXIST for batches of hash maps, so there is no mode.
     */
    public int updateBatch(Map<K, V> entries) {
        if (entries.isEmpty()) {
            return 0;
        }
        long keySize = keyCodec.byteSize();
        long valueSize = valueBufferSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keys = arena.allocate(keySize * entries.size(), 8);
            MemorySegment values = arena.allocate(valueSize * entries.size(), 8);
            int i = 0;
            for (Map.Entry<K, V> entry : entries.entrySet()) {
                keyCodec.encode(entry.getKey(), keys.asSlice(i * keySize, keySize));
                encodeValue(entry.getValue(), values.asSlice(i * valueSize, valueSize));
                i++;
            }
            MemorySegment count = arena.allocateFrom(JAVA_INT, entries.size());
            int rc = SluiceNative.bpf_map_update_batch(handle.fd(), keys, values, count,
                    batchOpts(arena, UpdateMode.ANY));
            if (rc < 0) {
                int written = count.get(JAVA_INT, 0);
                if (rc == -Errno.E2BIG && !info().type().arrayLike()) {
                    throw new MapFullException(name(), info().maxEntries(), rc);
                }
                throw new BpfException("batch update of map '" + name() + "' stopped after "
                        + written + " of " + entries.size() + " entries", rc);
            }
            return count.get(JAVA_INT, 0);
        }
    }

    /** Deletes the keys with {@code BPF_MAP_DELETE_BATCH}; keys not present are skipped. */
    public int deleteBatch(Collection<K> keysToDelete) {
        List<K> remaining = new ArrayList<>(keysToDelete);
        int deleted = 0;
        long keySize = keyCodec.byteSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = batchOpts(arena, UpdateMode.ANY);
            MemorySegment count = arena.allocate(JAVA_INT);
            while (!remaining.isEmpty()) {
                MemorySegment keys = arena.allocate(keySize * remaining.size(), 8);
                for (int i = 0; i < remaining.size(); i++) {
                    keyCodec.encode(remaining.get(i), keys.asSlice(i * keySize, keySize));
                }
                count.set(JAVA_INT, 0, remaining.size());
                int rc = SluiceNative.bpf_map_delete_batch(handle.fd(), keys, count, opts);
                int done = count.get(JAVA_INT, 0);
                deleted += done;
                if (rc == 0) {
                    break;
                }
                if (rc != -Errno.ENOENT) {
                    check(rc, "batch delete from");
                }
                // The kernel stops at the first missing key: skip it and go on with the rest.
                remaining = new ArrayList<>(remaining.subList(Math.min(done + 1, remaining.size()),
                        remaining.size()));
            }
        }
        return deleted;
    }

    public void pin(Path path) {
        handle.pin(path);
    }

    @Override
    public void close() {
        handle.close();
    }

    private MemorySegment encodeKey(Arena arena, K key) {
        MemorySegment buffer = arena.allocate(keyCodec.byteSize(), 8);
        keyCodec.encode(key, buffer);
        return buffer;
    }

    private MemorySegment encodeValueBuffer(Arena arena, V value) {
        MemorySegment buffer = arena.allocate(valueBufferSize(), 8);
        encodeValue(value, buffer);
        return buffer;
    }

    private static MemorySegment batchOpts(Arena arena, UpdateMode mode) {
        MemorySegment opts = bpf_map_batch_opts.allocate(arena);
        bpf_map_batch_opts.sz(opts, bpf_map_batch_opts.layout().byteSize());
        bpf_map_batch_opts.elem_flags(opts, mode.flags());
        return opts;
    }

    private void checkUpdate(int rc, UpdateMode mode) {
        if (rc >= 0) {
            return;
        }
        if (rc == -Errno.E2BIG) {
            if (info().type().arrayLike()) {
                throw new BpfException("map '" + name() + "': index out of range (max_entries "
                        + info().maxEntries() + ")", rc);
            }
            throw new MapFullException(name(), info().maxEntries(), rc);
        }
        if (rc == -Errno.EEXIST && mode == UpdateMode.NO_EXIST) {
            throw new BpfException("map '" + name() + "': key already present (NO_EXIST)", rc);
        }
        if (rc == -Errno.ENOENT && mode == UpdateMode.EXIST) {
            throw new BpfException("map '" + name() + "': key not present (EXIST)", rc);
        }
        check(rc, "update of");
    }

    private void check(int rc, String operation) {
        if (rc < 0) {
            throw new BpfException(operation + " map '" + name() + "' failed", rc);
        }
    }
}
