package dev.sluice.control.datapath.packet;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Entry points of the fluent builders. {@code ethernet(...)} starts a frame; {@code ipv4(...)} and
 * {@code ipv6(...)} start a bare IP packet (no link layer), e.g. to be quoted by an ICMP error.
 * Every builder is immutable: setters return a new builder.
 */
public final class Frames {

    private Frames() {}

    /** Source first, like {@code ipv4(src, dst)}; on the wire the destination comes first. */
    public static EthernetBuilder ethernet(String srcMac, String dstMac) {
        return new EthernetBuilder(MacAddress.of(srcMac), MacAddress.of(dstMac));
    }

    public static EthernetBuilder ethernet(byte[] srcMac, byte[] dstMac) {
        return new EthernetBuilder(MacAddress.of(srcMac), MacAddress.of(dstMac));
    }

    public static EthernetBuilder ethernet(MacAddress src, MacAddress dst) {
        return new EthernetBuilder(src, dst);
    }

    public static Ipv4Builder ipv4(String src, String dst) {
        return new Ipv4Builder(null, Addresses.ipv4(src), Addresses.ipv4(dst));
    }

    public static Ipv4Builder ipv4(InetAddress src, InetAddress dst) {
        return Ipv4Builder.of(src, dst);
    }

    public static Ipv6Builder ipv6(String src, String dst) {
        return new Ipv6Builder(null, Addresses.ipv6(src), Addresses.ipv6(dst));
    }

    public static Ipv6Builder ipv6(InetAddress src, InetAddress dst) {
        return new Ipv6Builder(null, Addresses.ipv6(src), Addresses.ipv6(dst));
    }

    /** The bytes after the Ethernet header (and one VLAN tag if present). */
    public static byte[] l3(byte[] frame) {
        if (frame.length < 14) {
            throw new IllegalArgumentException("not an Ethernet frame, only " + frame.length + " bytes");
        }
        int type = Wire.u16(frame, 12);
        int offset = type == EtherType.VLAN || type == EtherType.QINQ ? 18 : 14;
        return Arrays.copyOfRange(frame, Math.min(offset, frame.length), frame.length);
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
