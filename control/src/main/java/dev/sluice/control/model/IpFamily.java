package dev.sluice.control.model;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/** An IP address family; a dual-stack Service has one {@link ServicePort} per family. */
public enum IpFamily {
    IPV4("IPv4", 32),
    IPV6("IPv6", 128);

    private final String kubernetesName;
    private final int bits;

    IpFamily(String kubernetesName, int bits) {
        this.kubernetesName = kubernetesName;
        this.bits = bits;
    }

    public static IpFamily of(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet4Address) {
            return IPV4;
        }
        if (address instanceof Inet6Address) {
            return IPV6;
        }
        throw new IllegalArgumentException("not an IP address: " + address);
    }

    /** Parses the spelling used by spec.ipFamilies and EndpointSlice addressType ("IPv4", "IPv6"). */
    public static Optional<IpFamily> fromKubernetes(String name) {
        for (IpFamily family : values()) {
            if (family.kubernetesName.equals(name)) {
                return Optional.of(family);
            }
        }
        return Optional.empty();
    }

    /** "IPv4" or "IPv6", as Kubernetes spells it. */
    public String kubernetesName() {
        return kubernetesName;
    }

    /** Address width in bits: the largest valid prefix length. */
    public int bits() {
        return bits;
    }
}
