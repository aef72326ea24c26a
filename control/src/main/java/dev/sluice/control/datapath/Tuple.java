package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.InetAddress;

/** {@code struct tuple}: a connection as a packet carries it; the key of {@code ct_entries}. */
public record Tuple(InetAddress source, InetAddress destination, int sourcePort, int destinationPort,
                    int protocol) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Wire.ADDRESS.withName("src"), Wire.ADDRESS.withName("dst"),
            Wire.BE16.withName("sport"), Wire.BE16.withName("dport"),
            JAVA_BYTE.withName("protocol"), JAVA_BYTE.withName("family"),
            JAVA_SHORT.withName("pad")).withName("tuple");

    public static final MapCodec<Tuple> CODEC = MapCodec.of(LAYOUT, (t, s) -> {
        Wire.writeAddress(s, 0, t.source());
        Wire.writeAddress(s, 16, t.destination());
        Wire.writePort(s, 32, t.sourcePort());
        Wire.writePort(s, 34, t.destinationPort());
        s.set(JAVA_BYTE, 36, (byte) t.protocol());
        s.set(JAVA_BYTE, 37, (byte) Wire.family(t.source()));
    }, s -> {
        int family = Wire.u8(s, 37);
        return new Tuple(Wire.readAddress(s, 0, family), Wire.readAddress(s, 16, family),
                Wire.readPort(s, 32), Wire.readPort(s, 34), Wire.u8(s, 36));
    });

    public Tuple reversed() {
        return new Tuple(destination, source, destinationPort, sourcePort, protocol);
    }
}
