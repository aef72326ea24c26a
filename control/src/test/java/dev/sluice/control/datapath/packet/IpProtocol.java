package dev.sluice.control.datapath.packet;

/** IP protocol / IPv6 next-header numbers used by the library. */
public final class IpProtocol {
    public static final int HOP_BY_HOP = 0;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int GRE = 47;
    public static final int ICMPV6 = 58;
    public static final int NO_NEXT_HEADER = 59;
    public static final int DESTINATION_OPTIONS = 60;
    public static final int SCTP = 132;

    private IpProtocol() {}

    /** Extension headers that share the generic "next header, length in 8-octet units" layout. */
    static boolean isIpv6Extension(int nextHeader) {
        return nextHeader == HOP_BY_HOP || nextHeader == ROUTING || nextHeader == FRAGMENT
                || nextHeader == DESTINATION_OPTIONS;
    }
}
