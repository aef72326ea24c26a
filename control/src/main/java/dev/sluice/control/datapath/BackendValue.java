package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.InetAddress;

/**
 * {@code struct backend_value}: where a backend is and what state it is in, and the generation of
 * its id (new whenever the id is given to another backend; see {@code bpf/lib/select.h}).
 */
public record BackendValue(InetAddress address, int port, int flags, int generation) {
    public static final int F_LOCAL = 1;
    public static final int F_TERMINATING = 1 << 1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Wire.ADDRESS.withName("address"), Wire.BE16.withName("port"),
            JAVA_BYTE.withName("family"), JAVA_BYTE.withName("flags"),
            JAVA_INT.withName("generation")).withName("backend_value");

    public static final MapCodec<BackendValue> CODEC = MapCodec.of(LAYOUT, (v, s) -> {
        Wire.writeAddress(s, 0, v.address());
        Wire.writePort(s, 16, v.port());
        s.set(JAVA_BYTE, 18, (byte) Wire.family(v.address()));
        s.set(JAVA_BYTE, 19, (byte) v.flags());
        s.set(JAVA_INT, 20, v.generation());
    }, s -> new BackendValue(Wire.readAddress(s, 0, Wire.u8(s, 18)), Wire.readPort(s, 16), Wire.u8(s, 19),
            s.get(JAVA_INT, 20)));

    /** A backend of generation 0, which no id is ever given under: what a test means by "this backend". */
    public BackendValue(InetAddress address, int port, int flags) {
        this(address, port, flags, 0);
    }

    /** This backend without its generation, to compare what it is rather than which assignment of its id it is. */
    public BackendValue withoutGeneration() {
        return new BackendValue(address, port, flags);
    }
}
