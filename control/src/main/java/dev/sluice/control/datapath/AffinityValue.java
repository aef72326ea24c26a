package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct affinity_value}: the backend a client sticks to and when it last used it. The
 * entry counts only while the service and the backend still carry the generations it names.
 */
public record AffinityValue(long lastUsedNanos, int backendId, int backendGeneration, int serviceGeneration) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("last_used_ns"), JAVA_INT.withName("backend_id"),
            JAVA_INT.withName("backend_generation"), JAVA_INT.withName("service_generation"),
            JAVA_INT.withName("pad")).withName("affinity_value");

    public static final MapCodec<AffinityValue> CODEC = MapCodec.of(LAYOUT, (v, s) -> {
        s.set(JAVA_LONG, 0, v.lastUsedNanos());
        s.set(JAVA_INT, 8, v.backendId());
        s.set(JAVA_INT, 12, v.backendGeneration());
        s.set(JAVA_INT, 16, v.serviceGeneration());
    }, s -> new AffinityValue(s.get(JAVA_LONG, 0), s.get(JAVA_INT, 8), s.get(JAVA_INT, 12), s.get(JAVA_INT, 16)));
}
