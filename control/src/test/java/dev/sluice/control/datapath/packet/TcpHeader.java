package dev.sluice.control.datapath.packet;

import java.nio.ByteBuffer;

/**
 * A TCP header as on the wire.
 *
 * @param reserved the low nibble of byte 12 (three reserved bits and the old NS bit), kept so that
 *     a round trip of any bytes is lossless
 */
public record TcpHeader(
        int srcPort,
        int dstPort,
        long seq,
        long ack,
        int dataOffset,
        int reserved,
        int flags,
        int window,
        int checksum,
        int urgentPointer,
        Octets options) {

    public boolean has(TcpFlag flag) {
        return (flags & flag.bit) != 0;
    }

    public byte[] encode() {
        return ByteBuffer.allocate(20 + options.length())
                .putShort((short) srcPort)
                .putShort((short) dstPort)
                .putInt((int) seq)
                .putInt((int) ack)
                .put((byte) ((dataOffset << 4) | (reserved & 0xf)))
                .put((byte) flags)
                .putShort((short) window)
                .putShort((short) checksum)
                .putShort((short) urgentPointer)
                .put(options.toArray())
                .array();
    }
}
