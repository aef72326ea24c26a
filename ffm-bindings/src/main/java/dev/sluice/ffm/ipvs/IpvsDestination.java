package dev.sluice.ffm.ipvs;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A real server behind a virtual service. Thresholds of 0 mean "no limit". {@code stats} is
 * filled in by {@link IpvsClient#destinations} and never sent: it is what the kernel observed.
 */
public record IpvsDestination(InetAddress address, int port, IpvsForwardMethod forwardMethod, int weight,
                              int upperThreshold, int lowerThreshold, Optional<IpvsDestinationStats> stats) {
    public IpvsDestination {
        Objects.requireNonNull(address, "IPVS destination address");
        Objects.requireNonNull(forwardMethod, "IPVS destination forward method");
        Objects.requireNonNull(stats, "IPVS destination stats");
        String name = endpoint(address, port);
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("IPVS destination " + name + ": port is outside 0..65535");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("IPVS destination " + name + ": weight " + weight + " is negative");
        }
        if (upperThreshold < 0 || lowerThreshold < 0) {
            throw new IllegalArgumentException("IPVS destination " + name + ": thresholds " + lowerThreshold
                    + ".." + upperThreshold + " must not be negative");
        }
        // The kernel refuses this with ERANGE and says why only in its log.
        if (lowerThreshold > upperThreshold) {
            throw new IllegalArgumentException("IPVS destination " + name + ": lower threshold " + lowerThreshold
                    + " is above upper threshold " + upperThreshold);
        }
    }

    /** A masqueraded destination without thresholds. */
    public static IpvsDestination of(InetAddress address, int port, int weight) {
        return new IpvsDestination(address, port, IpvsForwardMethod.MASQUERADE, weight, 0, 0, Optional.empty());
    }

    public IpvsDestination withWeight(int newWeight) {
        return new IpvsDestination(address, port, forwardMethod, newWeight, upperThreshold, lowerThreshold, stats);
    }

    /** The same destination as configuration only, for comparing with what was written. */
    public IpvsDestination withoutStats() {
        return new IpvsDestination(address, port, forwardMethod, weight, upperThreshold, lowerThreshold,
                Optional.empty());
    }

    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    /** {@code 10.0.0.5:8080} or {@code [fd00::5]:8080}. */
    public String endpoint() {
        return endpoint(address, port);
    }

    private static String endpoint(InetAddress address, int port) {
        String host = address == null ? "?" : address.getHostAddress();
        return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }
}
