package dev.sluice.control.datapath.packet;

import java.nio.ByteBuffer;

/** IPv6 extension headers (RFC 8200 section 4). */
public sealed interface Ipv6Extension {

    /** The type this header is announced with by the preceding next-header field. */
    int type();

    int nextHeader();

    /** Total on-wire length in bytes. */
    int length();

    byte[] encode();

    Ipv6Extension withNextHeader(int nextHeader);

    /** Hop-by-hop options; {@code options} are the TLVs, already padded so that length() % 8 == 0. */
    record HopByHop(int nextHeader, Octets options) implements Ipv6Extension {
        public int type() {
            return IpProtocol.HOP_BY_HOP;
        }

        public int length() {
            return 2 + options.length();
        }

        public byte[] encode() {
            return Generic.encode(nextHeader, options);
        }

        public HopByHop withNextHeader(int next) {
            return new HopByHop(next, options);
        }
    }

    /**
     * The fragment header. The two reserved fields are not kept: RFC 8200 says receivers ignore them.
     *
     * @param fragmentOffset in 8-octet units
     */
    record Fragment(int nextHeader, int fragmentOffset, boolean moreFragments, long identification)
            implements Ipv6Extension {
        public int type() {
            return IpProtocol.FRAGMENT;
        }

        public int length() {
            return 8;
        }

        public byte[] encode() {
            return ByteBuffer.allocate(8)
                    .put((byte) nextHeader)
                    .put((byte) 0)
                    .putShort((short) ((fragmentOffset << 3) | (moreFragments ? 1 : 0)))
                    .putInt((int) identification)
                    .array();
        }

        public Fragment withNextHeader(int next) {
            return new Fragment(next, fragmentOffset, moreFragments, identification);
        }
    }

    /** Any other header with the "next header, length in 8-octet units - 1" layout (routing, destination options). */
    record Generic(int type, int nextHeader, Octets body) implements Ipv6Extension {
        public int length() {
            return 2 + body.length();
        }

        public byte[] encode() {
            return encode(nextHeader, body);
        }

        public Generic withNextHeader(int next) {
            return new Generic(type, next, body);
        }

        static byte[] encode(int nextHeader, Octets body) {
            int length = 2 + body.length();
            if (length % 8 != 0) {
                throw new IllegalArgumentException("extension header length " + length + " is not a multiple of 8");
            }
            return ByteBuffer.allocate(length)
                    .put((byte) nextHeader)
                    .put((byte) (length / 8 - 1))
                    .put(body.toArray())
                    .array();
        }
    }
}
