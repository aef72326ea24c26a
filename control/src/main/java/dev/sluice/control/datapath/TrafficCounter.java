package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** {@code struct traffic_counter}: one CPU's share of a service's traffic. */
public record TrafficCounter(long packets, long bytes) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("packets"), JAVA_LONG.withName("bytes")).withName("traffic_counter");

    public static final MapCodec<TrafficCounter> CODEC = MapCodec.of(LAYOUT, (c, s) -> {
        s.set(JAVA_LONG, 0, c.packets());
        s.set(JAVA_LONG, 8, c.bytes());
    }, s -> new TrafficCounter(s.get(JAVA_LONG, 0), s.get(JAVA_LONG, 8)));

    public TrafficCounter plus(TrafficCounter other) {
        return new TrafficCounter(packets + other.packets, bytes + other.bytes);
    }
}
