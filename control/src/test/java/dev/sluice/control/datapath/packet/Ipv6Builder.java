package dev.sluice.control.datapath.packet;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv6 layer. Payload length and the next-header chain through the extension headers are derived
 * unless overridden.
 */
public final class Ipv6Builder extends CopyOnWrite<Ipv6Builder> implements PacketBuilder, NetworkLayer {

    private final EthernetBuilder link;
    private final Inet6Address src;
    private final Inet6Address dst;
    private int trafficClass;
    private int flowLabel;
    private int hopLimit = 64;
    private List<Ipv6Extension> extensions = List.of();
    private Integer upperLayerProtocol;
    private Integer fixedNextHeader;
    private Integer payloadLength;
    private Octets payload = Octets.EMPTY;

    Ipv6Builder(EthernetBuilder link, Inet6Address src, Inet6Address dst) {
        this.link = link;
        this.src = src;
        this.dst = dst;
    }

    public Ipv6Builder trafficClass(int value) {
        return with(c -> c.trafficClass = value);
    }

    public Ipv6Builder flowLabel(int value) {
        return with(c -> c.flowLabel = value);
    }

    public Ipv6Builder hopLimit(int value) {
        return with(c -> c.hopLimit = value);
    }

    /** Option TLVs; padded with Pad1/PadN so that the header is a multiple of 8 bytes. */
    public Ipv6Builder hopByHop(byte[] options) {
        return extension(new Ipv6Extension.HopByHop(0, Octets.of(padOptions(options))));
    }

    public Ipv6Builder destinationOptions(byte[] options) {
        return extension(new Ipv6Extension.Generic(IpProtocol.DESTINATION_OPTIONS, 0, Octets.of(padOptions(options))));
    }

    /** @param fragmentOffset in 8-octet units */
    public Ipv6Builder fragment(int fragmentOffset, boolean moreFragments, long identification) {
        return extension(new Ipv6Extension.Fragment(0, fragmentOffset, moreFragments, identification));
    }

    /** Appends an extension header; its next-header field is rewritten to chain to what follows. */
    public Ipv6Builder extension(Ipv6Extension extension) {
        return with(c -> {
            List<Ipv6Extension> list = new ArrayList<>(c.extensions);
            list.add(extension);
            c.extensions = List.copyOf(list);
        });
    }

    /** The protocol of a raw payload, announced after the last extension header. */
    public Ipv6Builder nextHeader(int value) {
        return with(c -> c.upperLayerProtocol = value);
    }

    /** Overrides the fixed header's next-header field only, breaking the chain on purpose. */
    public Ipv6Builder fixedHeaderNextHeader(int value) {
        return with(c -> c.fixedNextHeader = value);
    }

    public Ipv6Builder payloadLength(int value) {
        return with(c -> c.payloadLength = value);
    }

    public Ipv6Builder payload(byte[] bytes) {
        return with(c -> c.payload = Octets.of(bytes));
    }

    public TcpBuilder tcp(int srcPort, int dstPort) {
        return new TcpBuilder(this, srcPort, dstPort);
    }

    public UdpBuilder udp(int srcPort, int dstPort) {
        return new UdpBuilder(this, srcPort, dstPort);
    }

    public IcmpBuilder icmpv6(int type, int code) {
        return new IcmpBuilder(this, true, type, code);
    }

    public IcmpBuilder icmpv6EchoRequest(int identifier, int sequence) {
        return icmpv6(Icmp.V6_ECHO_REQUEST, 0).echo(identifier, sequence);
    }

    public IcmpBuilder icmpv6EchoReply(int identifier, int sequence) {
        return icmpv6(Icmp.V6_ECHO_REPLY, 0).echo(identifier, sequence);
    }

    public IcmpBuilder icmpv6DestinationUnreachable(int code, byte[] invokingIpPacket) {
        return icmpv6(Icmp.V6_DESTINATION_UNREACHABLE, code).body(quote(invokingIpPacket));
    }

    public IcmpBuilder icmpv6DestinationUnreachable(int code, PacketBuilder invoking) {
        return icmpv6DestinationUnreachable(code, invoking.buildIp());
    }

    public IcmpBuilder icmpv6PacketTooBig(long mtu, byte[] invokingIpPacket) {
        return icmpv6(Icmp.V6_PACKET_TOO_BIG, 0).restOfHeader((int) mtu).body(quote(invokingIpPacket));
    }

    public IcmpBuilder icmpv6PacketTooBig(long mtu, PacketBuilder invoking) {
        return icmpv6PacketTooBig(mtu, invoking.buildIp());
    }

    public IcmpBuilder icmpv6TimeExceeded(int code, byte[] invokingIpPacket) {
        return icmpv6(Icmp.V6_TIME_EXCEEDED, code).body(quote(invokingIpPacket));
    }

    private byte[] quote(byte[] invoking) {
        int extensionsLength = extensions.stream().mapToInt(Ipv6Extension::length).sum();
        return IcmpQuote.ipv6(invoking, Icmp.IPV6_MINIMUM_MTU - 40 - extensionsLength - 8);
    }

    @Override
    public byte[] build() {
        return build(null);
    }

    @Override
    public byte[] build(Transport transport) {
        int upper = transport != null ? transport.protocol()
                : upperLayerProtocol != null ? upperLayerProtocol : IpProtocol.NO_NEXT_HEADER;
        List<Ipv6Extension> chained = new ArrayList<>();
        for (int i = 0; i < extensions.size(); i++) {
            int next = i + 1 < extensions.size() ? extensions.get(i + 1).type() : upper;
            chained.add(extensions.get(i).withNextHeader(next));
        }
        int first = fixedNextHeader != null ? fixedNextHeader : chained.isEmpty() ? upper : chained.getFirst().type();
        byte[] l4 = transport == null ? payload.toArray() : transport.encode(src, dst);
        int extensionsLength = chained.stream().mapToInt(Ipv6Extension::length).sum();
        Ipv6Header header = new Ipv6Header(6, trafficClass, flowLabel,
                payloadLength != null ? payloadLength : extensionsLength + l4.length,
                first, hopLimit, src, dst, chained);
        byte[] packet = Wire.concat(header.encode(), l4);
        return link == null ? packet : link.wrap(EtherType.IPV6, packet);
    }

    @Override
    public boolean hasEthernet() {
        return link != null;
    }

    /** Pads option TLVs so that 2 + length is a multiple of 8 (RFC 8200 section 4.2). */
    static byte[] padOptions(byte[] options) {
        int missing = (8 - (2 + options.length) % 8) % 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(options);
        if (missing == 1) {
            out.write(0); // Pad1
        } else if (missing > 1) {
            out.write(1); // PadN
            out.write(missing - 2);
            out.writeBytes(new byte[missing - 2]);
        }
        return out.toByteArray();
    }
}
