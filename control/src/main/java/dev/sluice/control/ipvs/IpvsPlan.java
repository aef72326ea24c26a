package dev.sluice.control.ipvs;

import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The IPVS datapath as kube-proxy's IPVS mode would program it for one desired state.
 *
 * @param services every virtual service, keyed as the kernel keys them
 * @param vips the addresses the dummy interface carries so the node accepts traffic to them
 *     (ClusterIPs, LoadBalancer IPs, external IPs; NodePorts use addresses the node already has)
 * @param firewall what the nftables table needs beyond the services themselves
 * @param conflicts frontends claimed by two service ports (the older keeps it), one line each
 */
public record IpvsPlan(Map<IpvsServiceKey, PlannedService> services, Set<InetAddress> vips, FirewallPlan firewall,
                       List<String> conflicts) {
    public IpvsPlan {
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        vips = Collections.unmodifiableSet(new LinkedHashSet<>(vips));
        conflicts = List.copyOf(conflicts);
    }

    public static IpvsPlan empty() {
        return new IpvsPlan(Map.of(), Set.of(), FirewallPlan.EMPTY, List.of());
    }

    public int destinationCount() {
        return services.values().stream().mapToInt(s -> s.destinations().size()).sum();
    }
}
