package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.InetAddress;

/**
 * {@code struct source_range_key}: an LPM key of (service id, CIDR) allowed to reach the service.
 * The trie matches the service id and the family word in full, then the CIDR's prefix.
 */
public record SourceRangeKey(int serviceId, InetAddress address, int prefixLength) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("prefixlen"), JAVA_INT.withName("service_id"), JAVA_BYTE.withName("family"),
            MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("pad"),
            Wire.ADDRESS.withName("address")).withName("source_range_key");

    public static final MapCodec<SourceRangeKey> CODEC = MapCodec.of(LAYOUT, (k, s) -> {
        s.set(JAVA_INT, 0, 64 + k.prefixLength());
        s.set(JAVA_INT, 4, k.serviceId());
        s.set(JAVA_BYTE, 8, (byte) Wire.family(k.address()));
        Wire.writeAddress(s, 12, k.address());
    }, s -> new SourceRangeKey(s.get(JAVA_INT, 4), Wire.readAddress(s, 12, Wire.u8(s, 8)), s.get(JAVA_INT, 0) - 64));
}
