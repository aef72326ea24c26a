package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.InetAddress;

/**
 * {@code struct source_range_key}: an LPM key of (service id, CIDR) allowed to reach the service.
 * The trie matches the service id in full, then the CIDR's prefix of the address; service ids are
 * per address family, so the family needs no bits of its own.
 */
public record SourceRangeKey(int serviceId, InetAddress address, int prefixLength) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("prefixlen"), JAVA_INT.withName("service_id"),
            Wire.ADDRESS.withName("address")).withName("source_range_key");

    public static final MapCodec<SourceRangeKey> CODEC = MapCodec.of(LAYOUT, (k, s) -> {
        s.set(JAVA_INT, 0, 32 + k.prefixLength());
        s.set(JAVA_INT, 4, k.serviceId());
        Wire.writeAddress(s, 8, k.address());
    }, s -> {
        int prefix = s.get(JAVA_INT, 0) - 32;
        int family = prefix <= 32 && zero(s.asSlice(12, 12)) ? Wire.FAMILY_IPV4 : Wire.FAMILY_IPV6;
        return new SourceRangeKey(s.get(JAVA_INT, 4), Wire.readAddress(s, 8, family), prefix);
    });

    private static boolean zero(MemorySegment bytes) {
        for (long i = 0; i < bytes.byteSize(); i++) {
            if (bytes.get(JAVA_BYTE, i) != 0) {
                return false;
            }
        }
        return true;
    }
}
