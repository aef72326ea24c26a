package dev.sluice.lab;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * iptables-restore input in the shape kube-proxy's iptables mode writes (pkg/proxy/iptables): the
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
