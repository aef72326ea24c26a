package dev.sluice.ffm.testing;

import java.nio.ByteBuffer;

/** Builds an Ethernet + IPv4 + UDP frame with both checksums computed from scratch. */
public record Ipv4UdpFrame(byte[] destinationMac, byte[] sourceMac, byte[] sourceAddress,
                           byte[] destinationAddress, int ttl, int identification, int sourcePort,
                           int destinationPort, byte[] payload) {
    public static final int ETHERNET_HEADER = 14;
    public static final int IPV4_HEADER = 20;
    public static final int UDP_HEADER = 8;

    public byte[] bytes() {
        int ipLength = IPV4_HEADER + UDP_HEADER + payload.length;
        ByteBuffer frame = ByteBuffer.allocate(ETHERNET_HEADER + ipLength);
        frame.put(destinationMac).put(sourceMac).putShort((short) 0x0800);
        frame.put((byte) 0x45).put((byte) 0).putShort((short) ipLength)
                .putShort((short) identification).putShort((short) 0x4000)
                .put((byte) ttl).put((byte) 17).putShort((short) 0)
                .put(sourceAddress).put(destinationAddress);
        frame.putShort((short) sourcePort).putShort((short) destinationPort)
                .putShort((short) (UDP_HEADER + payload.length)).putShort((short) 0).put(payload);
        byte[] bytes = frame.array();
        int ipChecksum = Checksums.internet(bytes, ETHERNET_HEADER, IPV4_HEADER);
        bytes[ETHERNET_HEADER + 10] = (byte) (ipChecksum >> 8);
        bytes[ETHERNET_HEADER + 11] = (byte) ipChecksum;
        int udpChecksum = udpChecksum(bytes);
        bytes[ETHERNET_HEADER + IPV4_HEADER + 6] = (byte) (udpChecksum >> 8);
        bytes[ETHERNET_HEADER + IPV4_HEADER + 7] = (byte) udpChecksum;
        return bytes;
    }

    private static int udpChecksum(byte[] frame) {
        int udpOffset = ETHERNET_HEADER + IPV4_HEADER;
        int udpLength = frame.length - udpOffset;
        byte[] pseudo = new byte[12];
        System.arraycopy(frame, ETHERNET_HEADER + 12, pseudo, 0, 8);
        pseudo[9] = 17;
        pseudo[10] = (byte) (udpLength >> 8);
        pseudo[11] = (byte) udpLength;
        int sum = Checksums.sum(0, pseudo, 0, pseudo.length);
        sum = Checksums.sum(sum, frame, udpOffset, udpLength);
        int checksum = ~sum & 0xffff;
        return checksum == 0 ? 0xffff : checksum;
    }
}
