package dev.sluice.ffm.ipvs;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/** What identifies a virtual service: address (IPv4 or IPv6), protocol and port. */
public record IpvsServiceKey(InetAddress address, IpvsProtocol protocol, int port) {
    public IpvsServiceKey {
        Objects.requireNonNull(address, "IPVS service address");
        Objects.requireNonNull(protocol, "IPVS service protocol");
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("IPVS service " + protocol + " " + address.getHostAddress()
                    + ": port " + port + " is outside 0..65535");
        }
    }

    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    int addressFamily() {
        return address instanceof Inet4Address ? IpvsUapi.AF_INET : IpvsUapi.AF_INET6;
    }

    /** {@code TCP 10.96.0.1:80} or {@code TCP [fd00::1]:80}, as errors and logs name a service. */
    @Override
    public String toString() {
        String host = address.getHostAddress();
        return protocol + " " + (isIpv6() ? "[" + host + "]" : host) + ":" + port;
    }
}
