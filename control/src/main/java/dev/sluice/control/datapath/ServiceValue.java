package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct service_value}: how a service picks backends for new flows, and the generation of
 * its id (new whenever the id is given to another service; see {@code bpf/lib/select.h}).
 */
public record ServiceValue(int flags, int affinityTimeoutSeconds, int maglevSize, int backendCount, int generation) {
    public static final int F_AFFINITY = 1;
    public static final int F_RANDOM = 1 << 1;
    public static final int F_NO_SNAT = 1 << 2;
    public static final int F_DROP_EMPTY = 1 << 3;
    public static final int F_SOURCE_RANGES = 1 << 4;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"), JAVA_INT.withName("affinity_timeout_s"),
            JAVA_INT.withName("maglev_size"), JAVA_INT.withName("backend_count"),
            JAVA_INT.withName("generation"), JAVA_INT.withName("pad")).withName("service_value");

    public static final MapCodec<ServiceValue> CODEC = MapCodec.of(LAYOUT, (v, s) -> {
        s.set(JAVA_INT, 0, v.flags());
        s.set(JAVA_INT, 4, v.affinityTimeoutSeconds());
        s.set(JAVA_INT, 8, v.maglevSize());
        s.set(JAVA_INT, 12, v.backendCount());
        s.set(JAVA_INT, 16, v.generation());
    }, s -> new ServiceValue(s.get(JAVA_INT, 0), s.get(JAVA_INT, 4), s.get(JAVA_INT, 8), s.get(JAVA_INT, 12),
            s.get(JAVA_INT, 16)));

    /** A service of generation 0, which no id is ever given under: what a test means by "this service". */
    public ServiceValue(int flags, int affinityTimeoutSeconds, int maglevSize, int backendCount) {
        this(flags, affinityTimeoutSeconds, maglevSize, backendCount, 0);
    }

    /** This service without its generation, to compare what it is rather than which assignment of its id it is. */
    public ServiceValue withoutGeneration() {
        return new ServiceValue(flags, affinityTimeoutSeconds, maglevSize, backendCount);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
