package dev.sluice.ffm.testing;

/** Internet checksums computed from scratch, independent of anything the datapath does. */
public final class Checksums {
    private Checksums() {
    }

    /** The one's complement of the one's complement sum of {@code length} bytes (RFC 1071). */
    public static int internet(byte[] data, int offset, int length) {
        return ~sum(0, data, offset, length) & 0xffff;
    }

    /** The folded 16-bit one's complement sum, starting from {@code initial}. */
    public static int sum(int initial, byte[] data, int offset, int length) {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((data[offset + i] & 0xff) << 8) | (data[offset + i + 1] & 0xff);
        }
        if ((length & 1) == 1) {
            sum += (data[offset + length - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) sum;
    }
}
