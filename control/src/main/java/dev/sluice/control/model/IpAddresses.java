package dev.sluice.control.model;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Strict IP literal handling. InetAddress.getByName would resolve host names (a DNS lookup per
 * bad endpoint) and accepts forms Kubernetes rejects, so literals are checked here first.
 */
public final class IpAddresses {

    /** Orders by family (IPv4 first), then numerically. */
    public static final Comparator<InetAddress> ORDER = (a, b) -> {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        return x.length != y.length ? Integer.compare(x.length, y.length) : Arrays.compareUnsigned(x, y);
    };

    private IpAddresses() {}

    /**
     * Parses an IPv4 dotted quad (leading zeros tolerated, as Go's ParseIPSloppy does) or an IPv6
     * literal without brackets or zone. An IPv4-mapped IPv6 literal yields an IPv4 address, as in Go.
     *
     * @throws IllegalArgumentException when the text is not such a literal
     */
    public static InetAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty IP address");
        }
        if (text.indexOf(':') >= 0) {
            return parseV6(text);
        }
        return parseV4(text);
    }

    /** "a.b.c.d:port" or "[v6]:port". */
    public static String format(InetAddress address, int port) {
        return address instanceof Inet6Address
                ? "[" + address.getHostAddress() + "]:" + port
                : address.getHostAddress() + ":" + port;
    }

    private static InetAddress parseV4(String text) {
        byte[] bytes = new byte[4];
        int part = 0;
        int value = -1;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (value < 0 || part == 4) {
                    throw invalid(text);
                }
                bytes[part++] = (byte) value;
                value = -1;
            } else if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    throw invalid(text);
                }
            } else {
                throw invalid(text);
            }
        }
        if (part != 4) {
            throw invalid(text);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw invalid(text);
        }
    }

    private static InetAddress parseV6(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                throw invalid(text);
            }
        }
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw invalid(text);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid IP address \"" + text + "\"");
    }
}
