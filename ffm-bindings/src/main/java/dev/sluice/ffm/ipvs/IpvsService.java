package dev.sluice.ffm.ipvs;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;

/**
 * A virtual service. {@code netmaskPrefixLength} is the persistence granularity: clients whose
 * addresses share that prefix stick to the same destination (32 or 128: each client on its own).
 */
public record IpvsService(IpvsServiceKey key, String scheduler, Set<IpvsServiceFlag> flags,
                          int persistenceTimeoutSeconds, int netmaskPrefixLength) {
    public IpvsService {
        Objects.requireNonNull(key, "IPVS service key");
        Objects.requireNonNull(scheduler, "IPVS service " + key + " scheduler");
        int length = scheduler.getBytes(StandardCharsets.UTF_8).length;
        if (length == 0 || length > IpvsUapi.SCHEDULER_NAME_MAX) {
            throw new IllegalArgumentException("IPVS service " + key + ": scheduler '" + scheduler
                    + "' must be 1.." + IpvsUapi.SCHEDULER_NAME_MAX + " bytes");
        }
        flags = Set.copyOf(flags);
        if (persistenceTimeoutSeconds < 0) {
            throw new IllegalArgumentException("IPVS service " + key + ": persistence timeout "
                    + persistenceTimeoutSeconds + " s is negative");
        }
        // The kernel takes an IPv6 netmask as a prefix length of 1..128; 0 would be refused.
        int minimum = key.isIpv6() ? 1 : 0;
        int maximum = key.isIpv6() ? 128 : 32;
        if (netmaskPrefixLength < minimum || netmaskPrefixLength > maximum) {
            throw new IllegalArgumentException("IPVS service " + key + ": netmask prefix length "
                    + netmaskPrefixLength + " is outside " + minimum + ".." + maximum);
        }
    }

    /** A service without persistence. */
    public static IpvsService of(IpvsServiceKey key, String scheduler) {
        return new IpvsService(key, scheduler, Set.of(), 0, key.isIpv6() ? 128 : 32);
    }

    /** A service whose clients stick to their destination for {@code timeoutSeconds}. */
    public static IpvsService persistent(IpvsServiceKey key, String scheduler, int timeoutSeconds) {
        return new IpvsService(key, scheduler, Set.of(IpvsServiceFlag.PERSISTENT), timeoutSeconds,
                key.isIpv6() ? 128 : 32);
    }

    public boolean isPersistent() {
        return flags.contains(IpvsServiceFlag.PERSISTENT);
    }
}
