package dev.sluice.control.datapath.packet;

import java.nio.ByteBuffer;

/**
 * The first 8 bytes of an ICMP or ICMPv6 message; the rest is the body.
 *
 * @param restOfHeader bytes 4..7, whose meaning depends on the type (echo id/sequence, MTU, pointer)
 */
public record IcmpHeader(int type, int code, int checksum, int restOfHeader) {

    public int identifier() {
        return restOfHeader >>> 16;
    }

    public int sequence() {
        return restOfHeader & 0xffff;
    }

    /** ICMPv4 destination unreachable code 4 carries the next-hop MTU in the low 16 bits (RFC 1191). */
    public int nextHopMtu() {
        return restOfHeader & 0xffff;
    }

    /** ICMPv6 packet too big carries a 32-bit MTU. */
    public long mtu() {
        return restOfHeader & 0xffffffffL;
    }

    public byte[] encode() {
        return ByteBuffer.allocate(8)
                .put((byte) type)
                .put((byte) code)
                .putShort((short) checksum)
                .putInt(restOfHeader)
                .array();
    }
}
