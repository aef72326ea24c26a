package dev.sluice.control.datapath.packet;

import java.nio.ByteBuffer;

/** A UDP header as on the wire. */
public record UdpHeader(int srcPort, int dstPort, int length, int checksum) {

    public byte[] encode() {
        return ByteBuffer.allocate(8)
                .putShort((short) srcPort)
                .putShort((short) dstPort)
                .putShort((short) length)
                .putShort((short) checksum)
                .array();
    }
}
