package dev.sluice.control.datapath.packet;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * IPv4 layer. Version, IHL, total length and checksum are derived unless overridden; overrides
 * exist to produce malformed packets on purpose.
 */
public final class Ipv4Builder extends CopyOnWrite<Ipv4Builder> implements PacketBuilder, NetworkLayer {

    /** RFC 3692 experimental protocol number: the default for a raw payload with no protocol given. */
    public static final int EXPERIMENTAL_PROTOCOL = 253;

    private final EthernetBuilder link;
    private final Inet4Address src;
    private final Inet4Address dst;
    private int tos;
    private int identification;
    private boolean reservedFlag;
    private boolean dontFragment;
    private boolean moreFragments;
    private int fragmentOffset;
    private int ttl = 64;
    private Integer protocol;
    private Octets options = Octets.EMPTY;
    private Integer ihl;
    private Integer totalLength;
    private Integer checksum;
    private Octets payload = Octets.EMPTY;

    Ipv4Builder(EthernetBuilder link, Inet4Address src, Inet4Address dst) {
        this.link = link;
        this.src = src;
        this.dst = dst;
    }

    public Ipv4Builder tos(int value) {
        return with(c -> c.tos = value);
    }

    public Ipv4Builder id(int value) {
        return with(c -> c.identification = value);
    }

    public Ipv4Builder dontFragment() {
        return with(c -> c.dontFragment = true);
    }

    public Ipv4Builder moreFragments() {
        return with(c -> c.moreFragments = true);
    }

    /** The "evil bit" (RFC 3514): receivers must treat it as reserved, which is why it is settable. */
    public Ipv4Builder reservedFlag() {
        return with(c -> c.reservedFlag = true);
    }

    /** In 8-octet units, as carried in the header. */
    public Ipv4Builder fragmentOffset(int eightOctetUnits) {
        return with(c -> c.fragmentOffset = eightOctetUnits);
    }

    public Ipv4Builder ttl(int value) {
        return with(c -> c.ttl = value);
    }

    /** Sets the protocol field; with a transport builder this overrides what the transport implies. */
    public Ipv4Builder protocol(int value) {
        return with(c -> c.protocol = value);
    }

    /** Raw option bytes, zero-padded to a 4-byte boundary; IHL grows to match. */
    public Ipv4Builder options(byte[] bytes) {
        return with(c -> c.options = Octets.of(Wire.padWithZeros(bytes, 4)));
    }

    public Ipv4Builder ihl(int words) {
        return with(c -> c.ihl = words);
    }

    public Ipv4Builder totalLength(int bytes) {
        return with(c -> c.totalLength = bytes);
    }

    /** Stores this value instead of the computed checksum, e.g. to feed a bad one to the datapath. */
    public Ipv4Builder checksum(int value) {
        return with(c -> c.checksum = value);
    }

    /** The bytes after the header when no transport builder follows. */
    public Ipv4Builder payload(byte[] bytes) {
        return with(c -> c.payload = Octets.of(bytes));
    }

    public TcpBuilder tcp(int srcPort, int dstPort) {
        return new TcpBuilder(this, srcPort, dstPort);
    }

    public UdpBuilder udp(int srcPort, int dstPort) {
        return new UdpBuilder(this, srcPort, dstPort);
    }

    public IcmpBuilder icmp(int type, int code) {
        return new IcmpBuilder(this, false, type, code);
    }

    public IcmpBuilder icmpEchoRequest(int identifier, int sequence) {
        return icmp(Icmp.ECHO_REQUEST, 0).echo(identifier, sequence);
    }

    public IcmpBuilder icmpEchoReply(int identifier, int sequence) {
        return icmp(Icmp.ECHO_REPLY, 0).echo(identifier, sequence);
    }

    /** Quotes the invoking IPv4 packet's header and first 8 payload bytes (RFC 792). */
    public IcmpBuilder icmpDestinationUnreachable(int code, byte[] invokingIpPacket) {
        return icmp(Icmp.DESTINATION_UNREACHABLE, code).body(IcmpQuote.ipv4(invokingIpPacket));
    }

    public IcmpBuilder icmpDestinationUnreachable(int code, PacketBuilder invoking) {
        return icmpDestinationUnreachable(code, invoking.buildIp());
    }

    /** Type 3 code 4 with the next-hop MTU in the low half of the second word (RFC 1191). */
    public IcmpBuilder icmpFragmentationNeeded(int nextHopMtu, byte[] invokingIpPacket) {
        return icmpDestinationUnreachable(Icmp.CODE_FRAGMENTATION_NEEDED, invokingIpPacket)
                .restOfHeader(nextHopMtu & 0xffff);
    }

    public IcmpBuilder icmpFragmentationNeeded(int nextHopMtu, PacketBuilder invoking) {
        return icmpFragmentationNeeded(nextHopMtu, invoking.buildIp());
    }

    public IcmpBuilder icmpTimeExceeded(int code, byte[] invokingIpPacket) {
        return icmp(Icmp.TIME_EXCEEDED, code).body(IcmpQuote.ipv4(invokingIpPacket));
    }

    @Override
    public byte[] build() {
        return build(null);
    }

    @Override
    public byte[] build(Transport transport) {
        byte[] l4 = transport == null ? payload.toArray() : transport.encode(src, dst);
        int proto = protocol != null ? protocol : transport != null ? transport.protocol() : EXPERIMENTAL_PROTOCOL;
        Ipv4Header header = new Ipv4Header(4,
                ihl != null ? ihl : 5 + options.length() / 4,
                tos,
                totalLength != null ? totalLength : 20 + options.length() + l4.length,
                identification, reservedFlag, dontFragment, moreFragments, fragmentOffset, ttl, proto, 0,
                src, dst, options);
        header = header.withChecksum(checksum != null ? checksum : InternetChecksum.checksum(header.encode()));
        byte[] packet = Wire.concat(header.encode(), l4);
        return link == null ? packet : link.wrap(EtherType.IPV4, packet);
    }

    @Override
    public boolean hasEthernet() {
        return link != null;
    }

    public Inet4Address src() {
        return src;
    }

    public Inet4Address dst() {
        return dst;
    }

    static Ipv4Builder of(InetAddress src, InetAddress dst) {
        return new Ipv4Builder(null, Addresses.ipv4(src), Addresses.ipv4(dst));
    }
}
