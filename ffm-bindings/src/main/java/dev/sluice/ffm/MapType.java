package dev.sluice.ffm;

/** The kernel's map types sluice knows by name (values of {@code enum bpf_map_type}). */
public enum MapType {
    UNSPEC(0), HASH(1), ARRAY(2), PROG_ARRAY(3), PERF_EVENT_ARRAY(4), PERCPU_HASH(5),
    PERCPU_ARRAY(6), STACK_TRACE(7), CGROUP_ARRAY(8), LRU_HASH(9), LRU_PERCPU_HASH(10),
    LPM_TRIE(11), ARRAY_OF_MAPS(12), HASH_OF_MAPS(13), DEVMAP(14), SOCKMAP(15), CPUMAP(16),
    XSKMAP(17), SOCKHASH(18), CGROUP_STORAGE(19), REUSEPORT_SOCKARRAY(20),
    PERCPU_CGROUP_STORAGE(21), QUEUE(22), STACK(23), SK_STORAGE(24), DEVMAP_HASH(25),
    STRUCT_OPS(26), RINGBUF(27), INODE_STORAGE(28), TASK_STORAGE(29), BLOOM_FILTER(30),
    USER_RINGBUF(31), CGRP_STORAGE(32), ARENA(33), UNKNOWN(-1);

    private final int value;

    MapType(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** Per-CPU maps hold one value slot per possible CPU. */
    public boolean perCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH
                || this == PERCPU_CGROUP_STORAGE;
    }

    /** Array-like maps have every key present and refuse deletes. */
    public boolean arrayLike() {
        return this == ARRAY || this == PERCPU_ARRAY || this == ARRAY_OF_MAPS || this == PROG_ARRAY;
    }

    public static MapType of(int value) {
        for (MapType type : values()) {
            if (type.value == value) {
                return type;
            }
        }
        return UNKNOWN;
    }
}
