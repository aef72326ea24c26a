package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.InetAddress;

/** {@code struct frontend_key}: where a service is reached. */
public record FrontendKey(InetAddress address, int port, int protocol) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Wire.ADDRESS.withName("address"), Wire.BE16.withName("port"),
            JAVA_BYTE.withName("protocol"), JAVA_BYTE.withName("family")).withName("frontend_key");

    public static final MapCodec<FrontendKey> CODEC = MapCodec.of(LAYOUT, (k, s) -> {
        Wire.writeAddress(s, 0, k.address());
        Wire.writePort(s, 16, k.port());
        s.set(JAVA_BYTE, 18, (byte) k.protocol());
        s.set(JAVA_BYTE, 19, (byte) Wire.family(k.address()));
    }, s -> new FrontendKey(Wire.readAddress(s, 0, Wire.u8(s, 19)), Wire.readPort(s, 16), Wire.u8(s, 18)));
}
