package dev.sluice.control.datapath.packet;

import java.net.InetAddress;

/** ICMP (over IPv4) or ICMPv6 message; the checksum is derived, for ICMPv6 over the pseudo-header. */
public final class IcmpBuilder extends CopyOnWrite<IcmpBuilder> implements PacketBuilder, NetworkLayer.Transport {

    private final NetworkLayer network;
    private final boolean v6;
    private final int type;
    private final int code;
    private int restOfHeader;
    private Integer checksum;
    private Octets body = Octets.EMPTY;

    IcmpBuilder(NetworkLayer network, boolean v6, int type, int code) {
        this.network = network;
        this.v6 = v6;
        this.type = type;
        this.code = code;
    }

    /** Bytes 4..7 of the message: echo id/sequence, MTU, pointer, gateway... */
    public IcmpBuilder restOfHeader(int value) {
        return with(c -> c.restOfHeader = value);
    }

    public IcmpBuilder echo(int identifier, int sequence) {
        return restOfHeader((identifier << 16) | (sequence & 0xffff));
    }

    /** Echo data, or the quoted invoking packet of an error. */
    public IcmpBuilder body(byte[] bytes) {
        return with(c -> c.body = Octets.of(bytes));
    }

    public IcmpBuilder checksum(int value) {
        return with(c -> c.checksum = value);
    }

    @Override
    public int protocol() {
        return v6 ? IpProtocol.ICMPV6 : IpProtocol.ICMP;
    }

    @Override
    public byte[] encode(InetAddress src, InetAddress dst) {
        byte[] message = Wire.concat(new IcmpHeader(type, code, 0, restOfHeader).encode(), body.toArray());
        // ICMPv4 covers only the message; ICMPv6 adds the pseudo-header (RFC 4443 section 2.3).
        long initial = v6 ? InternetChecksum.pseudoHeaderSum(src, dst, IpProtocol.ICMPV6, message.length) : 0;
        Wire.put16(message, 2, checksum != null ? checksum
                : InternetChecksum.checksum(initial, message, 0, message.length));
        return message;
    }

    @Override
    public byte[] build() {
        return network.build(this);
    }

    @Override
    public boolean hasEthernet() {
        return network.hasEthernet();
    }
}
