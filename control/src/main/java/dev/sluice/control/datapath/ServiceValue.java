package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** {@code struct service_value}: how a service picks backends for new flows. */
public record ServiceValue(int flags, int affinityTimeoutSeconds, int maglevSize, int backendCount) {
    public static final int F_AFFINITY = 1;
    public static final int F_RANDOM = 1 << 1;
    public static final int F_NO_SNAT = 1 << 2;
    public static final int F_DROP_EMPTY = 1 << 3;
    public static final int F_SOURCE_RANGES = 1 << 4;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"), JAVA_INT.withName("affinity_timeout_s"),
            JAVA_INT.withName("maglev_size"), JAVA_INT.withName("backend_count")).withName("service_value");

    public static final MapCodec<ServiceValue> CODEC = MapCodec.of(LAYOUT, (v, s) -> {
        s.set(JAVA_INT, 0, v.flags());
        s.set(JAVA_INT, 4, v.affinityTimeoutSeconds());
        s.set(JAVA_INT, 8, v.maglevSize());
        s.set(JAVA_INT, 12, v.backendCount());
    }, s -> new ServiceValue(s.get(JAVA_INT, 0), s.get(JAVA_INT, 4), s.get(JAVA_INT, 8), s.get(JAVA_INT, 12)));

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
