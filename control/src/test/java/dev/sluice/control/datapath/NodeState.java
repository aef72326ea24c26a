package dev.sluice.control.datapath;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.util.ArrayList;
import java.util.List;

/**
 * What a test can change in the lab node's namespace, as text to compare: links (MTU, state,
 * attached XDP), addresses, neighbours, routes of every table, the forwarding sysctls and the
 * kernel's connection count. IPv6 link-local and multicast lines are left out: the kernel adds
 * them by itself, on its own schedule (DAD, MLD), after create() has returned.
 */
final class NodeState {
    private static final String SNAPSHOT = String.join("; ",
            "ip -o link show", "ip -o addr show", "ip neigh show nud all",
            "ip -4 route show table all", "ip -6 route show table all",
            "sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding",
            "tc qdisc show",
            "if command -v conntrack >/dev/null; then echo conntrack entries: $(conntrack -L 2>/dev/null | wc -l); fi");
    /** What the datapath tests change: eth0's MTU (multi-buffer frames) and nf_conntrack entries (conntrack -I). */
    private static final String RESTORE = "ip link set eth0 mtu 1500 && "
            + "if command -v conntrack >/dev/null; then conntrack -F >/dev/null 2>&1 || true; fi";

    private NodeState() {
    }

    static String of(NetworkNamespace node) {
        List<String> kept = new ArrayList<>();
        for (String line : node.exec("sh", "-c", SNAPSHOT).split("\n")) {
            if (!line.contains("fe80") && !line.contains("ff02:") && !line.contains("ff00::/8")) {
                kept.add(line.replace(" tentative", ""));
            }
        }
        return String.join("\n", kept);
    }

    static void restore(NetworkNamespace node) {
        node.exec("sh", "-c", RESTORE);
    }

    /** The lines only one of the two has, marked - (pristine) and + (now). */
    static String difference(String pristine, String now) {
        List<String> before = List.of(pristine.split("\n"));
        List<String> after = List.of(now.split("\n"));
        StringBuilder out = new StringBuilder();
        before.stream().filter(line -> !after.contains(line)).forEach(line -> out.append("- ").append(line).append('\n'));
        after.stream().filter(line -> !before.contains(line)).forEach(line -> out.append("+ ").append(line).append('\n'));
        return out.toString();
    }
}
