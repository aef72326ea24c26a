package dev.sluice.control.migrate;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which iptables chains are kube-proxy's, per table: those of its iptables mode (today's and older
 * releases') and of its IPVS mode. Chains that kubelet makes are not: KUBE-FIREWALL in filter,
 * KUBE-KUBELET-CANARY, KUBE-IPTABLES-HINT, and KUBE-MARK-DROP (an older kubelet's). KUBE-MARK-MASQ
 * and KUBE-POSTROUTING are kube-proxy's since kubelet stopped making them (IPTablesOwnershipCleanup,
 * on by default from 1.27); an older kubelet recreates its copies within a minute, harmlessly.
 */
final class KubeProxyChains {
    private static final String CANARY = "KUBE-PROXY-CANARY";

    private static final Map<String, Set<String>> NAMED = Map.of(
            "nat", Set.of("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ", CANARY,
                    // IPVS mode; its KUBE-FIREWALL lived in nat, kubelet's lives in filter.
                    "KUBE-NODE-PORT", "KUBE-LOAD-BALANCER", "KUBE-FIREWALL"),
            "filter", Set.of("KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS",
                    "KUBE-PROXY-FIREWALL", CANARY,
                    "KUBE-NODE-PORT", "KUBE-SOURCE-RANGES-FIREWALL", "KUBE-IPVS-FILTER", "KUBE-IPVS-OUT-FILTER"),
            "mangle", Set.of(CANARY));

    /** Per service port and endpoint chains, named by a hash; KUBE-XLB- is what KUBE-SVL- was called before 1.24. */
    private static final List<String> NAT_PREFIXES = List.of("KUBE-SVC-", "KUBE-SVL-", "KUBE-SEP-", "KUBE-FW-",
            "KUBE-EXT-", "KUBE-XLB-");

    private KubeProxyChains() {
    }

    static boolean owns(String table, String chain) {
        if (NAMED.getOrDefault(table, Set.of()).contains(chain)) {
            return true;
        }
        return table.equals("nat") && NAT_PREFIXES.stream().anyMatch(chain::startsWith);
    }
}
