package dev.sluice.control.datapath.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address conversions that never touch DNS and never turn a 16-byte address into an IPv4 one. */
public final class Addresses {

    private Addresses() {}

    public static Inet4Address ipv4(String literal) {
        return Inet4Address.ofLiteral(literal);
    }

    public static Inet4Address ipv4(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return v4;
        }
        throw new IllegalArgumentException("not an IPv4 address: " + address);
    }

    public static Inet6Address ipv6(String literal) {
        InetAddress parsed = Inet6Address.ofLiteral(literal);
        // ofLiteral("::ffff:a.b.c.d") yields an Inet4Address; an IPv6 header still needs all 16 bytes.
        return parsed instanceof Inet6Address v6 ? v6 : ipv6(mapped(parsed.getAddress()));
    }

    public static Inet6Address ipv6(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            return v6;
        }
        throw new IllegalArgumentException("not an IPv6 address: " + address);
    }

    public static Inet4Address ipv4(byte[] bytes, int offset) {
        try {
            return (Inet4Address) InetAddress.getByAddress(java.util.Arrays.copyOfRange(bytes, offset, offset + 4));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static Inet6Address ipv6(byte[] bytes, int offset) {
        return ipv6(java.util.Arrays.copyOfRange(bytes, offset, offset + 16));
    }

    private static Inet6Address ipv6(byte[] sixteen) {
        try {
            // InetAddress.getByAddress would return an Inet4Address for IPv4-mapped addresses.
            return Inet6Address.getByAddress(null, sixteen, null);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] mapped(byte[] four) {
        byte[] sixteen = new byte[16];
        sixteen[10] = (byte) 0xff;
        sixteen[11] = (byte) 0xff;
        System.arraycopy(four, 0, sixteen, 12, 4);
        return sixteen;
    }

    /** Dotted quad, or RFC 5952 compressed IPv6, so that diffs read like tcpdump. */
    public static String format(InetAddress address) {
        if (address == null) {
            return "null";
        }
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero word is not compressed (RFC 5952 section 4.2.2)
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(words[i]));
        }
        return text.toString();
    }
}
