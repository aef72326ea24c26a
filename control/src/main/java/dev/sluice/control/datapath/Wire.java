package dev.sluice.control.datapath;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * How the datapath stores addresses and ports: {@code union address} is 16 bytes with an IPv4
 * address in the first four (network order) and zeros after; ports are {@code __be16}.
 */
public final class Wire {
    public static final int FAMILY_IPV4 = 4;
    public static final int FAMILY_IPV6 = 6;
    public static final MemoryLayout ADDRESS = MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE);
    public static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private Wire() {
    }

    public static int family(InetAddress address) {
        return address instanceof Inet4Address ? FAMILY_IPV4 : FAMILY_IPV6;
    }

    public static void writeAddress(MemorySegment segment, long offset, InetAddress address) {
        byte[] bytes = Arrays.copyOf(address.getAddress(), 16);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, offset, 16);
    }

    public static InetAddress readAddress(MemorySegment segment, long offset, int family) {
        byte[] bytes = segment.asSlice(offset, 16).toArray(ValueLayout.JAVA_BYTE);
        try {
            return InetAddress.getByAddress(family == FAMILY_IPV4 ? Arrays.copyOf(bytes, 4) : bytes);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    public static void writePort(MemorySegment segment, long offset, int port) {
        segment.set(BE16, offset, (short) port);
    }

    public static int readPort(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(BE16, offset));
    }

    public static int u8(MemorySegment segment, long offset) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, offset));
    }
}
