package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.InetAddress;

/** {@code struct ct_value}: how to rewrite a packet of the connection and what the connection is. */
public record ConntrackValue(InetAddress natSource, InetAddress natDestination, int natSourcePort,
                             int natDestinationPort, int backendId, int serviceId, int state,
                             int direction, int flags, long lastSeenNanos) {
    public static final int STATE_NEW = 0;
    public static final int STATE_ESTABLISHED = 1;
    /** A FIN from one side: the other may still send (half-close). */
    public static final int STATE_CLOSING = 2;
    /** FIN from both sides, or a RST. */
    public static final int STATE_CLOSED = 3;
    public static final int DIRECTION_FORWARD = 0;
    public static final int DIRECTION_REPLY = 1;
    public static final int F_SNAT = 1;
    public static final int F_LOCAL_BACKEND = 1 << 1;
    public static final int F_FIN_FORWARD = 1 << 2;
    public static final int F_FIN_REPLY = 1 << 3;
    /** Untranslated: a connection from outside to a pod, tracked so its replies are not masqueraded. */
    public static final int F_TRACK_ONLY = 1 << 4;
    private static final int TCP = 6;
    private static final int UDP = 17;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Wire.ADDRESS.withName("nat_src"), Wire.ADDRESS.withName("nat_dst"),
            Wire.BE16.withName("nat_sport"), Wire.BE16.withName("nat_dport"),
            JAVA_INT.withName("backend_id"), JAVA_INT.withName("service_id"),
            JAVA_BYTE.withName("state"), JAVA_BYTE.withName("direction"), JAVA_BYTE.withName("flags"),
            JAVA_BYTE.withName("pad"), JAVA_LONG.withName("last_seen_ns")).withName("ct_value");

    /** Idle timeout of an entry, in seconds, as bpf/lib/conntrack.h's ct_timeout_ns has it. */
    public static long timeoutSeconds(int protocol, int state) {
        if (protocol == TCP) {
            return switch (state) {
                case STATE_ESTABLISHED -> 21600;
                case STATE_CLOSING -> 120;
                case STATE_CLOSED -> 10;
                default -> 60;
            };
        }
        if (protocol == UDP) {
            return state == STATE_ESTABLISHED ? 180 : 30;
        }
        return 30;
    }

    /** Family is not stored in the value; it is the key's, so decoding is done per family. */
    public static MapCodec<ConntrackValue> codec(int family) {
        return MapCodec.of(LAYOUT, (v, s) -> {
            Wire.writeAddress(s, 0, v.natSource());
            Wire.writeAddress(s, 16, v.natDestination());
            Wire.writePort(s, 32, v.natSourcePort());
            Wire.writePort(s, 34, v.natDestinationPort());
            s.set(JAVA_INT, 36, v.backendId());
            s.set(JAVA_INT, 40, v.serviceId());
            s.set(JAVA_BYTE, 44, (byte) v.state());
            s.set(JAVA_BYTE, 45, (byte) v.direction());
            s.set(JAVA_BYTE, 46, (byte) v.flags());
            s.set(JAVA_LONG, 48, v.lastSeenNanos());
        }, s -> new ConntrackValue(Wire.readAddress(s, 0, family), Wire.readAddress(s, 16, family),
                Wire.readPort(s, 32), Wire.readPort(s, 34), s.get(JAVA_INT, 36), s.get(JAVA_INT, 40),
                Wire.u8(s, 44), Wire.u8(s, 45), Wire.u8(s, 46), s.get(JAVA_LONG, 48)));
    }
}
