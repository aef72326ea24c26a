package dev.sluice.control.datapath.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The RFC 1071 ones'-complement checksum, written out here rather than borrowed so that the tests
 * check the BPF programs against an implementation that shares nothing with them.
 */
public final class InternetChecksum {

    private InternetChecksum() {}

    /** The ones'-complement sum of {@code data[from, to)} added to {@code initial}, not yet folded. */
    public static long sum(long initial, byte[] data, int from, int to) {
        long sum = initial;
        int i = from;
        for (; i + 1 < to; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        if (i < to) {
            // An odd trailing byte is padded with a zero byte on the right (RFC 1071 section 4.1).
            sum += (data[i] & 0xff) << 8;
        }
        return sum;
    }

    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The value to store in a checksum field whose own bytes were zero while summing. */
    public static int checksum(long initial, byte[] data, int from, int to) {
        return ~fold(sum(initial, data, from, to)) & 0xffff;
    }

    public static int checksum(byte[] data) {
        return checksum(0, data, 0, data.length);
    }

    /** The sum of the IPv4 or IPv6 pseudo-header (RFC 793 / RFC 8200 section 8.1). */
    public static long pseudoHeaderSum(InetAddress src, InetAddress dst, int protocol, int upperLayerLength) {
        if (src instanceof Inet4Address != dst instanceof Inet4Address) {
            throw new IllegalArgumentException("pseudo-header of mixed families: " + src + ", " + dst);
        }
        long sum = sum(0, src.getAddress(), 0, src.getAddress().length);
        sum = sum(sum, dst.getAddress(), 0, dst.getAddress().length);
        if (src instanceof Inet6Address) {
            // 32-bit length and 24 zero bits before the next header: split into 16-bit words.
            return sum + (upperLayerLength >>> 16) + (upperLayerLength & 0xffff) + protocol;
        }
        return sum + protocol + upperLayerLength;
    }
}
