package dev.sluice.control.datapath.packet;

import java.util.Arrays;

/** Small byte-array helpers shared by the encoders and the parser. */
final class Wire {

    private Wire() {}

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** Zero-pads to a multiple of {@code unit}: zero is END-of-options for both IPv4 and TCP. */
    static byte[] padWithZeros(byte[] bytes, int unit) {
        int padded = (bytes.length + unit - 1) / unit * unit;
        return padded == bytes.length ? bytes.clone() : Arrays.copyOf(bytes, padded);
    }

    static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }

    static void put16(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }
}
