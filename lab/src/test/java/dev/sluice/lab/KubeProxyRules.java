package dev.sluice.lab;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * kube-proxy's rules for a few services, in the shape its iptables mode writes (pkg/proxy/iptables)
 * or its nftables mode ({@link #nftInput()}). iptables: the
 * KUBE-SERVICES / KUBE-NODEPORTS dispatch, a KUBE-SVC chain per service port with a KUBE-SEP chain
 * per endpoint doing the DNAT, KUBE-EXT chains that mark external traffic for masquerade, the
 * KUBE-POSTROUTING masquerade on mark 0x4000, the filter table's KUBE-FORWARD, and the canary
 * chains, beside kubelet's KUBE-FIREWALL. Enough for a node to serve ClusterIPs and NodePorts the way kube-proxy did, before the
 * switch to sluice.
 */
final class KubeProxyRules {
    /** One service port with one endpoint. */
    record ServicePort(String name, String clusterIp, int port, int nodePort, String endpoint, int targetPort) {
    }

    private final boolean ipv6;
    private final String clusterCidr;
    private final List<ServicePort> ports = new ArrayList<>();

    KubeProxyRules(boolean ipv6, String clusterCidr) {
        this.ipv6 = ipv6;
        this.clusterCidr = clusterCidr;
    }

    KubeProxyRules add(ServicePort port) {
        ports.add(port);
        return this;
    }

    /** The whole input, for iptables-restore --noflush (or ip6tables-restore). */
    String restoreInput() {
        String host = ipv6 ? "/128" : "/32";
        List<String> filter = new ArrayList<>(List.of("*filter",
                ":KUBE-FORWARD - [0:0]", ":KUBE-PROXY-CANARY - [0:0]", ":KUBE-FIREWALL - [0:0]",
                "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD",
                "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
                "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT",
                "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" "
                        + "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "COMMIT"));
        List<String> nat = new ArrayList<>(List.of("*nat",
                ":KUBE-SERVICES - [0:0]", ":KUBE-NODEPORTS - [0:0]", ":KUBE-POSTROUTING - [0:0]",
                ":KUBE-MARK-MASQ - [0:0]", ":KUBE-PROXY-CANARY - [0:0]"));
        List<String> rules = new ArrayList<>(List.of(
                "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING",
                "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
                "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
                "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
                "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully"));
        List<String> nodePorts = new ArrayList<>();
        for (ServicePort port : ports) {
            String svc = "KUBE-SVC-" + hash(port.name() + "tcp");
            String ext = "KUBE-EXT-" + hash(port.name() + "tcp");
            String sep = "KUBE-SEP-" + hash(port.name() + "tcp" + port.endpoint());
            nat.addAll(List.of(":" + svc + " - [0:0]", ":" + ext + " - [0:0]", ":" + sep + " - [0:0]"));
            String comment = "-m comment --comment \"" + port.name() + "\"";
            rules.add("-A KUBE-SERVICES -d " + port.clusterIp() + host + " -p tcp -m comment --comment \"" + port.name()
                    + " cluster IP\" -m tcp --dport " + port.port() + " -j " + svc);
            nodePorts.add("-A KUBE-NODEPORTS -p tcp " + comment + " -m tcp --dport " + port.nodePort() + " -j " + ext);
            rules.add("-A " + ext + " -m comment --comment \"masquerade traffic for " + port.name()
                    + " external destinations\" -j KUBE-MARK-MASQ");
            rules.add("-A " + ext + " -j " + svc);
            rules.add("-A " + svc + " ! -s " + clusterCidr + " -d " + port.clusterIp() + host + " -p tcp -m comment --comment \""
                    + port.name() + " cluster IP\" -m tcp --dport " + port.port() + " -j KUBE-MARK-MASQ");
            rules.add("-A " + svc + " -m comment --comment \"" + port.name() + " -> " + endpoint(port) + "\" -j " + sep);
            rules.add("-A " + sep + " -s " + port.endpoint() + host + " " + comment + " -j KUBE-MARK-MASQ");
            rules.add("-A " + sep + " -p tcp " + comment + " -m tcp -j DNAT --to-destination " + endpoint(port));
        }
        rules.addAll(nodePorts);
        // kube-proxy keeps this one last in KUBE-SERVICES.
        rules.add("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last "
                + "rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS");
        nat.addAll(rules);
        nat.add("COMMIT");
        List<String> all = new ArrayList<>(List.of("*mangle", ":KUBE-PROXY-CANARY - [0:0]", "COMMIT"));
        all.addAll(filter);
        all.addAll(nat);
        return String.join("\n", all) + "\n";
    }

    /**
     * {@code nft -f} input in the shape kube-proxy's nftables mode writes (pkg/proxy/nftables): table
     * {@code ip kube-proxy} (or {@code ip6}) whose nat chains send a destination through the
     * {@code service-ips} verdict map, or local destinations through {@code service-nodeports}, to
     * a service chain that picks an endpoint chain with {@code numgen} and DNATs there; external
     * traffic and traffic from outside the cluster CIDR is marked and masqueraded on the way out.
     */
    String nftInput() {
        String family = ipv6 ? "ip6" : "ip";
        String table = family + " kube-proxy";
        String addressType = ipv6 ? "ipv6_addr" : "ipv4_addr";
        String loopback = ipv6 ? "::1" : "127.0.0.0/8";
        List<String> lines = new ArrayList<>(List.of(
                "add table " + table + " { comment \"rules for kube-proxy\" ; }",
                "add set " + table + " cluster-ips { type " + addressType + " ; comment \"Active ClusterIPs\" ; }",
                "add map " + table + " service-ips { type " + addressType + " . inet_proto . inet_service : verdict ; "
                        + "comment \"ClusterIP, ExternalIP and LoadBalancer IP traffic\" ; }",
                "add map " + table + " service-nodeports { type inet_proto . inet_service : verdict ; comment \"NodePort traffic\" ; }",
                "add chain " + table + " mark-for-masquerade",
                "add chain " + table + " masquerading",
                "add chain " + table + " nat-output { type nat hook output priority -100 ; }",
                "add chain " + table + " nat-postrouting { type nat hook postrouting priority 100 ; }",
                "add chain " + table + " nat-prerouting { type nat hook prerouting priority -100 ; }",
                "add chain " + table + " services",
                "add rule " + table + " mark-for-masquerade mark set mark or 0x4000",
                "add rule " + table + " masquerading mark and 0x4000 == 0 return",
                "add rule " + table + " masquerading mark set mark xor 0x4000",
                "add rule " + table + " masquerading masquerade fully-random",
                "add rule " + table + " nat-output jump services",
                "add rule " + table + " nat-postrouting jump masquerading",
                "add rule " + table + " nat-prerouting jump services",
                "add rule " + table + " services " + family + " daddr . meta l4proto . th dport vmap @service-ips",
                "add rule " + table + " services fib daddr type local " + family + " daddr != " + loopback
                        + " meta l4proto . th dport vmap @service-nodeports"));
        for (ServicePort port : ports) {
            String portName = port.name().replaceFirst(":([^:]*)$", "/tcp/$1");
            String suffix = hash(port.name() + "tcp").substring(0, 8) + "-" + portName;
            String service = "service-" + suffix;
            String external = "external-" + suffix;
            String endpoint = "endpoint-" + hash(port.name() + "tcp" + port.endpoint()).substring(0, 8) + "-" + portName
                    + "__" + port.endpoint().replace(':', '.') + "/" + port.targetPort();
            lines.addAll(List.of(
                    "add chain " + table + " " + service,
                    "add chain " + table + " " + external,
                    "add chain " + table + " " + endpoint,
                    "add rule " + table + " " + endpoint + " " + family + " saddr " + port.endpoint() + " jump mark-for-masquerade",
                    "add rule " + table + " " + endpoint + " meta l4proto tcp dnat to " + endpoint(port),
                    "add rule " + table + " " + service + " " + family + " daddr " + port.clusterIp() + " " + family
                            + " saddr != " + clusterCidr + " jump mark-for-masquerade",
                    "add rule " + table + " " + service + " numgen random mod 1 vmap { 0 : goto " + endpoint + " }",
                    "add rule " + table + " " + external + " jump mark-for-masquerade",
                    "add rule " + table + " " + external + " goto " + service,
                    "add element " + table + " cluster-ips { " + port.clusterIp() + " }",
                    "add element " + table + " service-ips { " + port.clusterIp() + " . tcp . " + port.port() + " : goto " + service + " }",
                    "add element " + table + " service-nodeports { tcp . " + port.nodePort() + " : goto " + external + " }"));
        }
        return String.join("\n", lines) + "\n";
    }

    private String endpoint(ServicePort port) {
        return (ipv6 ? "[" + port.endpoint() + "]" : port.endpoint()) + ":" + port.targetPort();
    }

    /** kube-proxy names chains by a hash of the service port; 16 characters of one, as it does. */
    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
