package dev.sluice.control.datapath.packet;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * An IPv4 header exactly as on the wire: nothing is derived here, so the parser can represent
 * malformed headers (bad IHL, wrong lengths) and the builder decides what is computed.
 *
 * @param fragmentOffset in 8-octet units, as in the header
 */
public record Ipv4Header(
        int version,
        int ihl,
        int tos,
        int totalLength,
        int identification,
        boolean reservedFlag,
        boolean dontFragment,
        boolean moreFragments,
        int fragmentOffset,
        int ttl,
        int protocol,
        int checksum,
        Inet4Address src,
        Inet4Address dst,
        Octets options) {

    public boolean isFragment() {
        return moreFragments || fragmentOffset != 0;
    }

    /** The header bytes: 20 plus the options as they are, whatever {@code ihl} claims. */
    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(20 + options.length());
        out.put((byte) ((version << 4) | (ihl & 0xf)));
        out.put((byte) tos);
        out.putShort((short) totalLength);
        out.putShort((short) identification);
        int flags = (reservedFlag ? 0x8000 : 0) | (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0);
        out.putShort((short) (flags | (fragmentOffset & 0x1fff)));
        out.put((byte) ttl);
        out.put((byte) protocol);
        out.putShort((short) checksum);
        out.put(src.getAddress()).put(dst.getAddress());
        out.put(options.toArray());
        return out.array();
    }

    public Ipv4Header withChecksum(int newChecksum) {
        return new Ipv4Header(version, ihl, tos, totalLength, identification, reservedFlag, dontFragment,
                moreFragments, fragmentOffset, ttl, protocol, newChecksum, src, dst, options);
    }
}
