package dev.sluice.control.datapath.packet;

import java.util.Arrays;

/** How much of an invoking packet an ICMP error carries. */
public final class IcmpQuote {

    private IcmpQuote() {}

    /** The IPv4 header with its options plus the first 8 bytes of what follows (RFC 792). */
    public static byte[] ipv4(byte[] invokingIpPacket) {
        if (invokingIpPacket.length < 20 || (invokingIpPacket[0] & 0xf0) != 0x40) {
            throw new IllegalArgumentException("the invoking packet must start at an IPv4 header"
                    + " (strip Ethernet with Frames.l3): " + Frames.hex(invokingIpPacket));
        }
        int headerLength = (invokingIpPacket[0] & 0x0f) * 4;
        return Arrays.copyOf(invokingIpPacket, Math.min(invokingIpPacket.length, headerLength + 8));
    }

    /** As much of the packet as fits in {@code room} bytes (RFC 4443 section 3: the error stays within 1280). */
    public static byte[] ipv6(byte[] invokingIpPacket, int room) {
        if (invokingIpPacket.length < 40 || (invokingIpPacket[0] & 0xf0) != 0x60) {
            throw new IllegalArgumentException("the invoking packet must start at an IPv6 header"
                    + " (strip Ethernet with Frames.l3): " + Frames.hex(invokingIpPacket));
        }
        return Arrays.copyOf(invokingIpPacket, Math.min(invokingIpPacket.length, room));
    }
}
