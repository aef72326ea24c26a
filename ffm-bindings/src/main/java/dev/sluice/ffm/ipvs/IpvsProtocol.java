package dev.sluice.ffm.ipvs;

/** The transport protocols IPVS balances, with their IP protocol numbers. */
public enum IpvsProtocol {
    TCP(6),
    UDP(17),
    SCTP(132);

    private final int number;

    IpvsProtocol(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public static IpvsProtocol of(int number) {
        for (IpvsProtocol protocol : values()) {
            if (protocol.number == number) {
                return protocol;
            }
        }
        throw new IllegalArgumentException("IP protocol " + number + " is not one IPVS balances (TCP, UDP, SCTP)");
    }
}
