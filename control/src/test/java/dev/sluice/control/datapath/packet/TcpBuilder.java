package dev.sluice.control.datapath.packet;

import java.net.InetAddress;

/** TCP segment; data offset and checksum (with the pseudo-header of the IP layer) are derived. */
public final class TcpBuilder extends CopyOnWrite<TcpBuilder> implements PacketBuilder, NetworkLayer.Transport {

    private final NetworkLayer network;
    private final int srcPort;
    private final int dstPort;
    private long seq;
    private long ack;
    private int flags;
    private int window = 65535;
    private int urgentPointer;
    private Octets options = Octets.EMPTY;
    private Integer dataOffset;
    private Integer checksum;
    private Octets payload = Octets.EMPTY;

    TcpBuilder(NetworkLayer network, int srcPort, int dstPort) {
        this.network = network;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
    }

    public TcpBuilder seq(long value) {
        return with(c -> c.seq = value);
    }

    public TcpBuilder ack(long value) {
        return with(c -> c.ack = value);
    }

    public TcpBuilder flags(TcpFlag... set) {
        return with(c -> c.flags = TcpFlag.mask(set));
    }

    public TcpBuilder flags(int mask) {
        return with(c -> c.flags = mask);
    }

    public TcpBuilder window(int value) {
        return with(c -> c.window = value);
    }

    public TcpBuilder urgentPointer(int value) {
        return with(c -> c.urgentPointer = value);
    }

    /** Raw option bytes, zero-padded (EOL) to a 4-byte boundary; the data offset grows to match. */
    public TcpBuilder options(byte[] bytes) {
        return with(c -> c.options = Octets.of(Wire.padWithZeros(bytes, 4)));
    }

    public TcpBuilder dataOffset(int words) {
        return with(c -> c.dataOffset = words);
    }

    public TcpBuilder checksum(int value) {
        return with(c -> c.checksum = value);
    }

    public TcpBuilder payload(byte[] bytes) {
        return with(c -> c.payload = Octets.of(bytes));
    }

    @Override
    public int protocol() {
        return IpProtocol.TCP;
    }

    @Override
    public byte[] encode(InetAddress src, InetAddress dst) {
        TcpHeader header = new TcpHeader(srcPort, dstPort, seq, ack,
                dataOffset != null ? dataOffset : 5 + options.length() / 4, 0, flags, window, 0, urgentPointer,
                options);
        byte[] segment = Wire.concat(header.encode(), payload.toArray());
        long pseudo = InternetChecksum.pseudoHeaderSum(src, dst, IpProtocol.TCP, segment.length);
        Wire.put16(segment, 16, checksum != null ? checksum
                : InternetChecksum.checksum(pseudo, segment, 0, segment.length));
        return segment;
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
