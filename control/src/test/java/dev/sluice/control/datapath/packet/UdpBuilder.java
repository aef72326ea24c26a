package dev.sluice.control.datapath.packet;

import java.net.InetAddress;

/** UDP datagram; length and checksum (with the pseudo-header of the IP layer) are derived. */
public final class UdpBuilder extends CopyOnWrite<UdpBuilder> implements PacketBuilder, NetworkLayer.Transport {

    private final NetworkLayer network;
    private final int srcPort;
    private final int dstPort;
    private Integer length;
    private Integer checksum;
    private Octets payload = Octets.EMPTY;

    UdpBuilder(NetworkLayer network, int srcPort, int dstPort) {
        this.network = network;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
    }

    public UdpBuilder length(int value) {
        return with(c -> c.length = value);
    }

    public UdpBuilder checksum(int value) {
        return with(c -> c.checksum = value);
    }

    /**
     * Sends checksum 0, which over IPv4 means "no checksum" (RFC 768). Over IPv6 it is allowed here
     * only so tests can feed the datapath the invalid packet (RFC 8200 section 8.1 forbids it).
     */
    public UdpBuilder zeroChecksum() {
        return checksum(0);
    }

    public UdpBuilder payload(byte[] bytes) {
        return with(c -> c.payload = Octets.of(bytes));
    }

    @Override
    public int protocol() {
        return IpProtocol.UDP;
    }

    @Override
    public byte[] encode(InetAddress src, InetAddress dst) {
        int datagramLength = 8 + payload.length();
        UdpHeader header = new UdpHeader(srcPort, dstPort, length != null ? length : datagramLength, 0);
        byte[] datagram = Wire.concat(header.encode(), payload.toArray());
        if (checksum != null) {
            Wire.put16(datagram, 6, checksum);
        } else {
            // The pseudo-header carries the bytes actually sent, so an overridden length field is a
            // lie the checksum does not repeat.
            long pseudo = InternetChecksum.pseudoHeaderSum(src, dst, IpProtocol.UDP, datagramLength);
            int computed = InternetChecksum.checksum(pseudo, datagram, 0, datagramLength);
            // 0 on the wire means "none", so a computed 0 is sent as its ones'-complement twin.
            Wire.put16(datagram, 6, computed == 0 ? 0xffff : computed);
        }
        return datagram;
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
