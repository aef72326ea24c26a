package dev.sluice.cli;

import dev.sluice.control.datapath.FrontendValue;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;

/** How addresses, protocols, kinds and durations are written, in tables and JSON alike. */
public final class Format {
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int SCTP = 132;

    private Format() {
    }

    /** An IPv4 address dotted; an IPv6 address in RFC 5952 form (the longest zero run as "::"). */
    public static String address(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
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
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /** {@code 10.0.0.1:80}, {@code [2001:db8::1]:80}. */
    public static String endpoint(InetAddress address, int port) {
        String host = address(address);
        return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }

    public static int family(InetAddress address) {
        return address instanceof Inet4Address ? 4 : 6;
    }

    public static String protocol(int protocol) {
        return switch (protocol) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case SCTP -> "sctp";
            default -> Integer.toString(protocol);
        };
    }

    /** Parses {@code tcp}, {@code udp}, {@code sctp} or a protocol number. */
    public static int parseProtocol(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "tcp" -> TCP;
            case "udp" -> UDP;
            case "sctp" -> SCTP;
            default -> {
                try {
                    yield Integer.parseInt(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("unknown protocol '" + text + "' (tcp, udp, sctp)");
                }
            }
        };
    }

    /** The Service type a frontend kind stands for. */
    public static String kind(int kind) {
        return switch (kind) {
            case FrontendValue.CLUSTER_IP -> "ClusterIP";
            case FrontendValue.NODE_PORT -> "NodePort";
            case FrontendValue.LOAD_BALANCER -> "LoadBalancer";
            case FrontendValue.EXTERNAL_IP -> "ExternalIP";
            default -> "kind-" + kind;
        };
    }

    /** Whether a frontend kind is reached from outside the cluster (externalTrafficPolicy applies). */
    public static boolean external(int kind) {
        return kind == FrontendValue.NODE_PORT || kind == FrontendValue.LOAD_BALANCER
                || kind == FrontendValue.EXTERNAL_IP;
    }

    /** A duration in kubectl's style: {@code 45s}, {@code 3m20s}, {@code 5h2m}, {@code 2d3h}. */
    public static String duration(long nanos) {
        if (nanos < 0) {
            return "-" + duration(-nanos);
        }
        long seconds = nanos / 1_000_000_000L;
        if (seconds < 60) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 60) {
            return minutes + "m" + (seconds % 60 == 0 ? "" : seconds % 60 + "s");
        }
        long hours = minutes / 60;
        if (hours < 24) {
            return hours + "h" + (minutes % 60 == 0 ? "" : minutes % 60 + "m");
        }
        return hours / 24 + "d" + (hours % 24 == 0 ? "" : hours % 24 + "h");
    }
}
