package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.InetAddress;

/** {@code struct affinity_key}: a client of a ClientIP-affinity service. */
public record AffinityKey(InetAddress client, int serviceId) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Wire.ADDRESS.withName("client"), JAVA_INT.withName("service_id"), JAVA_BYTE.withName("family"),
            MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("pad")).withName("affinity_key");

    public static final MapCodec<AffinityKey> CODEC = MapCodec.of(LAYOUT, (k, s) -> {
        Wire.writeAddress(s, 0, k.client());
        s.set(JAVA_INT, 16, k.serviceId());
        s.set(JAVA_BYTE, 20, (byte) Wire.family(k.client()));
    }, s -> new AffinityKey(Wire.readAddress(s, 0, Wire.u8(s, 20)), s.get(JAVA_INT, 16)));
}
