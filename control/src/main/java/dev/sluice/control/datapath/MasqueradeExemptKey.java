package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.InetAddress;

/** {@code struct masquerade_exempt_key}: a destination CIDR pod traffic reaches unmasqueraded. */
public record MasqueradeExemptKey(InetAddress address, int prefixLength) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("prefixlen"), JAVA_BYTE.withName("family"),
            MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("pad"),
            Wire.ADDRESS.withName("address")).withName("masquerade_exempt_key");

    /** The family word is matched in full, then the CIDR's prefix. */
    public static final MapCodec<MasqueradeExemptKey> CODEC = MapCodec.of(LAYOUT, (k, s) -> {
        s.set(JAVA_INT, 0, 32 + k.prefixLength());
        s.set(JAVA_BYTE, 4, (byte) Wire.family(k.address()));
        Wire.writeAddress(s, 8, k.address());
    }, s -> new MasqueradeExemptKey(Wire.readAddress(s, 8, Wire.u8(s, 4)), s.get(JAVA_INT, 0) - 32));
}
