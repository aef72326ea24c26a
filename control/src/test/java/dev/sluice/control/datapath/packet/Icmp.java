package dev.sluice.control.datapath.packet;

/** ICMP and ICMPv6 type/code numbers used by the helpers and the parser. */
public final class Icmp {
    public static final int ECHO_REPLY = 0;
    public static final int DESTINATION_UNREACHABLE = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;

    public static final int V6_DESTINATION_UNREACHABLE = 1;
    public static final int V6_PACKET_TOO_BIG = 2;
    public static final int V6_TIME_EXCEEDED = 3;
    public static final int V6_PARAMETER_PROBLEM = 4;
    public static final int V6_ECHO_REQUEST = 128;
    public static final int V6_ECHO_REPLY = 129;

    /** IPv6 implementations must accept 1280-byte packets; ICMPv6 errors quote up to that size. */
    public static final int IPV6_MINIMUM_MTU = 1280;

    private Icmp() {}

    static boolean isError(int type) {
        return type == DESTINATION_UNREACHABLE || type == SOURCE_QUENCH || type == REDIRECT
                || type == TIME_EXCEEDED || type == PARAMETER_PROBLEM;
    }

    static boolean isV6Error(int type) {
        return type >= V6_DESTINATION_UNREACHABLE && type <= V6_PARAMETER_PROBLEM;
    }
}
