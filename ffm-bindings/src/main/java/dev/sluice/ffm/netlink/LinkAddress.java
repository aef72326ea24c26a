package dev.sluice.ffm.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/** An address assigned to a link, with its prefix length. */
public record LinkAddress(InetAddress address, int prefixLength) {
    public LinkAddress {
        Objects.requireNonNull(address, "address");
        int bits = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " of " + address.getHostAddress()
                    + " is outside 0.." + bits);
        }
    }

    /** The address alone as its own network: /32 for IPv4, /128 for IPv6. */
    public static LinkAddress host(InetAddress address) {
        return new LinkAddress(address, address instanceof Inet4Address ? 32 : 128);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
