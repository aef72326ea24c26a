package dev.sluice.control.datapath.packet;

import java.net.InetAddress;
import java.util.OptionalInt;

/**
 * A decoded frame. Absent layers are null. {@code payload} is what follows the last decoded header up
 * to the end the IP length fields give (the whole rest for non-IP frames, the undecoded bytes for
 * unknown protocols and later fragments); {@code trailer} is what the link carried beyond that end.
 *
 * @param inner the invoking packet quoted by an ICMP or ICMPv6 error, parsed leniently
 */
public record ParsedFrame(
        EthernetHeader ethernet,
        Ipv4Header ipv4,
        Ipv6Header ipv6,
        TcpHeader tcp,
        UdpHeader udp,
        IcmpHeader icmp,
        IcmpHeader icmpv6,
        Octets payload,
        Octets trailer,
        ParseResult inner,
        Layout layout) {

    /**
     * Where the layers sit in the input; not part of the frame's content.
     *
     * @param clipped the IP length fields claim more than was present (only allowed in ICMP quotes)
     */
    public record Layout(Octets raw, int l3Offset, int l4Offset, int l4End, boolean clipped) {}

    /** Parses an Ethernet frame; throws {@link PacketParseException} saying what is wrong and where. */
    public static ParsedFrame parse(byte[] frame) {
        return tryParse(frame).orThrow();
    }

    /** Parses a packet that starts at the IPv4 or IPv6 header. */
    public static ParsedFrame parseIp(byte[] packet) {
        return tryParseIp(packet).orThrow();
    }

    /** Never throws: any input gives the layers decoded up to the first problem plus its description. */
    public static ParseResult tryParse(byte[] frame) {
        return FrameParser.parse(frame, true, false);
    }

    public static ParseResult tryParseIp(byte[] packet) {
        return FrameParser.parse(packet, false, false);
    }

    public byte[] bytes() {
        return layout.raw().toArray();
    }

    /** The IP protocol / upper-layer next header, or -1 without an IP layer. */
    public int l4Protocol() {
        return ipv4 != null ? ipv4.protocol() : ipv6 != null ? ipv6.upperLayerProtocol() : -1;
    }

    public InetAddress src() {
        return ipv4 != null ? ipv4.src() : ipv6 != null ? ipv6.src() : null;
    }

    public InetAddress dst() {
        return ipv4 != null ? ipv4.dst() : ipv6 != null ? ipv6.dst() : null;
    }

    /** From the TCP/UDP header, or from the first bytes of an undecoded (quoted) TCP/UDP header. */
    public OptionalInt srcPort() {
        return port(0);
    }

    public OptionalInt dstPort() {
        return port(2);
    }

    private OptionalInt port(int at) {
        if (tcp != null) {
            return OptionalInt.of(at == 0 ? tcp.srcPort() : tcp.dstPort());
        }
        if (udp != null) {
            return OptionalInt.of(at == 0 ? udp.srcPort() : udp.dstPort());
        }
        boolean portsFirst = l4Protocol() == IpProtocol.TCP || l4Protocol() == IpProtocol.UDP;
        if (portsFirst && payload.length() >= 4 && !isFragment()) {
            return OptionalInt.of((payload.get(at) << 8) | payload.get(at + 1));
        }
        return OptionalInt.empty();
    }

    public boolean isFragment() {
        return ipv4 != null ? ipv4.isFragment() : ipv6 != null && ipv6.isFragment();
    }

    public boolean ipv4HeaderChecksumValid() {
        return ChecksumVerifier.ipv4HeaderValid(this);
    }

    /** The transport checksum recomputed from the bytes, pseudo-header included. */
    public boolean l4ChecksumValid() {
        return ChecksumVerifier.transportValid(this);
    }

    /** The value the transport checksum field should hold, for failure messages. */
    public int expectedL4Checksum() {
        return ChecksumVerifier.expectedTransportChecksum(this);
    }

    public int expectedIpv4HeaderChecksum() {
        return ChecksumVerifier.expectedIpv4HeaderChecksum(this);
    }

    /**
     * For an ICMP error: the quoted IPv4 header checksum, and the quoted transport checksum when the
     * quote holds the whole invoking packet.
     */
    public boolean innerChecksumsValid() {
        return ChecksumVerifier.innerValid(this);
    }

    /** One line in the spirit of tcpdump, for assertion descriptions. */
    public String summary() {
        return FrameSummary.of(this);
    }
}
