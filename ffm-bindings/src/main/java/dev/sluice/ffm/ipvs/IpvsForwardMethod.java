package dev.sluice.ffm.ipvs;

/** How IPVS hands a connection to a destination (IP_VS_CONN_F_* forwarding methods). */
public enum IpvsForwardMethod {
    /** NAT: the destination address is rewritten; the only method that works across hosts without setup. */
    MASQUERADE(0),
    LOCAL_NODE(1),
    TUNNEL(2),
    DIRECT_ROUTE(3);

    private final int code;

    IpvsForwardMethod(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static IpvsForwardMethod of(int code) {
        for (IpvsForwardMethod method : values()) {
            if (method.code == code) {
                return method;
            }
        }
        throw new IllegalArgumentException("IPVS forwarding method " + code + " is unknown");
    }
}
