package dev.sluice.control.ipvs;

import dev.sluice.control.ipvs.FirewallPlan.FirewallFrontend;
import dev.sluice.control.ipvs.FirewallPlan.Hairpin;
import dev.sluice.control.model.Cidr;
import dev.sluice.control.model.FrontendKind;
import dev.sluice.control.model.IpFamily;
import dev.sluice.control.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Renders sluice's own nftables table for the IPVS datapath, {@code table inet sluice_ipvs}, as
 * one {@code nft -f} script that replaces the whole table atomically (nft applies a file as one
 * transaction; the "add, delete, add" idiom works whether the table exists or not).
 *
 * <p>What it does, as kube-proxy's IPVS mode does with iptables and ipsets:
 * <ul>
 *   <li>marks for masquerade (bit {@value #MASQUERADE_MARK_HEX}, kube-proxy's default bit 14)
 *       in prerouting and output, before IPVS (which hooks input/output at priority ~ -98/98):
 *       everything to a service with --masquerade-all; else ClusterIP traffic from outside the
 *       cluster CIDRs; and NodePort, LoadBalancer and external IP traffic unless
 *       externalTrafficPolicy is Local (which keeps the client address);</li>
 *   <li>masquerades marked packets, and hairpin packets (an endpoint reaching itself through a
 *       service), in postrouting, where IPVS's own conntrack entries (vs/conntrack=1) let NAT work;</li>
 *   <li>rejects new traffic to frontends without endpoints: TCP reset, else ICMP port unreachable;</li>
 *   <li>drops traffic to LoadBalancer frontends from outside their source ranges.</li>
 * </ul>
 */
public final class NftablesRules {
    public static final String TABLE = "sluice_ipvs";
    static final String MASQUERADE_MARK_HEX = "0x00004000";
    /** Before IPVS and before the nat hooks, like iptables' mangle table. */
    private static final int EARLY = -150;

    private NftablesRules() {}

    /**
     * @param masqueradeAll kube-proxy's --masquerade-all
     * @param clusterCidrs kube-proxy's --cluster-cidr: ClusterIP traffic from elsewhere is
     *     masqueraded; empty and not masqueradeAll: none is (unless hairpin)
     */
    public static String render(FirewallPlan plan, boolean masqueradeAll, List<Cidr> clusterCidrs) {
        Objects.requireNonNull(plan, "firewall plan");
        StringBuilder nft = new StringBuilder();
        nft.append("table inet ").append(TABLE).append("\n");
        nft.append("delete table inet ").append(TABLE).append("\n");
        nft.append("table inet ").append(TABLE).append(" {\n");
        List<String> marks = new ArrayList<>();
        List<String> input = new ArrayList<>();
        List<String> output = new ArrayList<>();
        List<String> postrouting = new ArrayList<>();
        postrouting.add("meta mark & " + MASQUERADE_MARK_HEX + " == " + MASQUERADE_MARK_HEX + " masquerade");
        for (IpFamily family : IpFamily.values()) {
            String ip = family == IpFamily.IPV4 ? "ip" : "ip6";
            String suffix = family == IpFamily.IPV4 ? "4" : "6";
            String addr = family == IpFamily.IPV4 ? "ipv4_addr" : "ipv6_addr";
            String serviceType = addr + " . inet_proto . inet_service";
            String match = ip + " daddr . meta l4proto . th dport";
            List<FirewallFrontend> frontends = plan.frontends().stream()
                    .filter(f -> IpFamily.of(f.address()) == family).toList();

            if (masqueradeAll) {
                set(nft, "services" + suffix, serviceType, elements(frontends, f -> true));
                marks.add(match + " @services" + suffix + " " + markMasquerade());
            } else {
                List<Cidr> cidrs = clusterCidrs.stream().filter(c -> c.family() == family).toList();
                if (!cidrs.isEmpty()) {
                    set(nft, "cluster_ips" + suffix, serviceType, elements(frontends, f -> f.kind() == FrontendKind.CLUSTER_IP));
                    intervalSet(nft, "cluster_cidrs" + suffix, addr, cidrs.stream().map(Cidr::toString).toList());
                    marks.add(ip + " saddr != @cluster_cidrs" + suffix + " " + match + " @cluster_ips" + suffix + " "
                            + markMasquerade());
                }
                set(nft, "external_masquerade" + suffix, serviceType,
                        elements(frontends, f -> f.kind().external() && !f.externalLocal()));
                marks.add(match + " @external_masquerade" + suffix + " " + markMasquerade());
            }

            set(nft, "no_endpoints" + suffix, serviceType, elements(frontends, f -> !f.hasEndpoints()));
            for (List<String> chain : List.of(input, output)) {
                chain.add("meta l4proto tcp " + match + " @no_endpoints" + suffix + " reject with tcp reset");
                chain.add(match + " @no_endpoints" + suffix + " reject");
            }

            for (FirewallFrontend frontend : frontends) {
                List<Cidr> ranges = frontend.sourceRanges().stream().filter(c -> c.family() == family).toList();
                if (!frontend.sourceRanges().isEmpty()) {
                    // Ranges of the other family only: no source of this family is allowed.
                    String allowed = ranges.isEmpty() ? "" : " " + ip + " saddr != { "
                            + String.join(", ", ranges.stream().map(Cidr::toString).toList()) + " }";
                    input.addFirst(ip + " daddr " + address(frontend.address()) + " meta l4proto "
                            + protocol(frontend.protocol()) + " th dport " + frontend.port() + allowed + " drop");
                }
            }

            Set<String> hairpins = new TreeSet<>();
            for (Hairpin hairpin : plan.hairpins()) {
                if (IpFamily.of(hairpin.address()) == family) {
                    String a = address(hairpin.address());
                    hairpins.add(a + " . " + protocol(hairpin.protocol()) + " . " + hairpin.port() + " . " + a);
                }
            }
            set(nft, "hairpins" + suffix, serviceType + " . " + addr, hairpins);
            postrouting.add(match + " . " + ip + " saddr @hairpins" + suffix + " masquerade");
        }
        chain(nft, "mark_prerouting", "filter", "prerouting", String.valueOf(EARLY), marks);
        chain(nft, "mark_output", "route", "output", String.valueOf(EARLY), marks);
        chain(nft, "filter_input", "filter", "input", String.valueOf(EARLY), input);
        chain(nft, "filter_output", "filter", "output", String.valueOf(EARLY), output);
        chain(nft, "nat_postrouting", "nat", "postrouting", "srcnat", postrouting);
        nft.append("}\n");
        return nft.toString();
    }

    /** The script that removes the table, for --cleanup and switching to eBPF. */
    public static String delete() {
        return "table inet " + TABLE + "\ndelete table inet " + TABLE + "\n";
    }

    private static String markMasquerade() {
        return "meta mark set meta mark | " + MASQUERADE_MARK_HEX;
    }

    private static Set<String> elements(Collection<FirewallFrontend> frontends, Predicate<FirewallFrontend> which) {
        Set<String> elements = new TreeSet<>();
        for (FirewallFrontend frontend : frontends) {
            if (which.test(frontend)) {
                elements.add(address(frontend.address()) + " . " + protocol(frontend.protocol()) + " . " + frontend.port());
            }
        }
        return elements;
    }

    private static void set(StringBuilder nft, String name, String type, Collection<String> elements) {
        nft.append("  set ").append(name).append(" {\n    type ").append(type).append("\n");
        appendElements(nft, elements);
        nft.append("  }\n");
    }

    private static void intervalSet(StringBuilder nft, String name, String type, Collection<String> elements) {
        nft.append("  set ").append(name).append(" {\n    type ").append(type).append("\n    flags interval\n");
        appendElements(nft, elements);
        nft.append("  }\n");
    }

    private static void appendElements(StringBuilder nft, Collection<String> elements) {
        // nft refuses an empty element list: an empty set has none.
        if (!elements.isEmpty()) {
            nft.append("    elements = {\n      ").append(String.join(",\n      ", elements)).append("\n    }\n");
        }
    }

    private static void chain(StringBuilder nft, String name, String type, String hook, String priority, List<String> rules) {
        nft.append("  chain ").append(name).append(" {\n    type ").append(type).append(" hook ").append(hook)
                .append(" priority ").append(priority).append("; policy accept;\n");
        rules.forEach(rule -> nft.append("    ").append(rule).append("\n"));
        nft.append("  }\n");
    }

    private static String protocol(Protocol protocol) {
        return protocol.name().toLowerCase(Locale.ROOT);
    }

    /** The address as nft reads it: no IPv6 scope suffix. */
    private static String address(InetAddress address) {
        String text = address.getHostAddress();
        int scope = text.indexOf('%');
        return scope < 0 ? text : text.substring(0, scope);
    }
}
