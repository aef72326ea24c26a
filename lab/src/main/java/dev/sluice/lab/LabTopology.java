package dev.sluice.lab;

import dev.sluice.ffm.sys.Bpffs;
import dev.sluice.ffm.sys.Command;
import dev.sluice.ffm.sys.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's hosts, all network namespaces it creates and always removes: an external client and
 * two nodes on one bridged fabric, and pods behind each node, dual-stack. Every address is in
 * 198.18.0.0/15 (reserved for benchmarking) or 2001:db8::/32 (documentation), both routed nowhere,
 * and no namespace has a route out.
 * <pre>
 *   fabric 198.18.0.0/24, 2001:db8::/64 (bridge):  client .1 ::1   node-a .2 ::2   node-b .3 ::3
 *   pods of node-a: 198.18.10.0/24, 2001:db8:a::/64    pods of node-b: 198.18.11.0/24, 2001:db8:b::/64
 * </pre>
 * Pods reach their node through a veth whose host side is their gateway 169.254.1.1 and fe80::1
 * (static neighbour entries, no proxy ARP or NDP); nodes reach pods by static neighbour entries too;
 * each node routes the other node's pod ranges through the fabric. IPv6 addresses skip duplicate
 * address detection, so they work at once.
 */
final class LabTopology implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabTopology.class);
    static final String CLIENT_ADDRESS = "198.18.0.1";
    static final Map<String, String> NODE_ADDRESSES = Map.of("node-a", "198.18.0.2", "node-b", "198.18.0.3");
    static final Map<String, String> POD_RANGES = Map.of("node-a", "198.18.10", "node-b", "198.18.11");
    static final String CLIENT_ADDRESS6 = "2001:db8::1";
    static final Map<String, String> NODE_ADDRESSES6 = Map.of("node-a", "2001:db8::2", "node-b", "2001:db8::3");
    static final Map<String, String> POD_RANGES6 = Map.of("node-a", "2001:db8:a::", "node-b", "2001:db8:b::");
    /**
     * Pods, services and the two nodes; the external client is outside, as a real one is, so that
     * --masquerade meets connections from outside the cluster.
     */
    static final String CLUSTER_CIDRS = "198.18.10.0/24,198.18.11.0/24,198.18.100.0/24,198.18.0.2/32,198.18.0.3/32,"
            + "2001:db8:a::/64,2001:db8:b::/64,2001:db8:100::/112,2001:db8::2/128,2001:db8::3/128";
    private static final String POD_GATEWAY6 = "fe80::1";

    private final String prefix;
    private final Path runDirectory;
    private final List<NetworkNamespace> namespaces = new ArrayList<>();
    private final Map<String, NetworkNamespace> nodes = new LinkedHashMap<>();
    private final Map<String, Path> bpffsRoots = new LinkedHashMap<>();
    private final List<Pod> pods = new ArrayList<>();
    private NetworkNamespace client;

    private LabTopology(String prefix, Path runDirectory) {
        this.prefix = prefix;
        this.runDirectory = runDirectory;
    }

    /** Builds the lab; on any failure, removes what was built so far. */
    static LabTopology create(String prefix, Path runDirectory, int podsPerNode) {
        LabTopology lab = new LabTopology(prefix, runDirectory);
        try {
            lab.build(podsPerNode);
            return lab;
        } catch (RuntimeException failure) {
            lab.close();
            throw failure;
        }
    }

    private NetworkNamespace namespace(String name) {
        NetworkNamespace namespace = NetworkNamespace.create(prefix + name);
        namespaces.add(namespace);
        return namespace;
    }

    private void build(int podsPerNode) {
        NetworkNamespace fabric = namespace("fabric");
        fabric.exec("ip", "link", "add", "br0", "type", "bridge");
        // Flooding multicast keeps neighbour discovery independent of MLD snooping state.
        fabric.exec("ip", "link", "set", "br0", "type", "bridge", "mcast_snooping", "0");
        fabric.exec("ip", "link", "set", "br0", "up");
        client = namespace("client");
        join(fabric, client, "client", CLIENT_ADDRESS, CLIENT_ADDRESS6);
        int podIndex = 0;
        for (String node : List.of("node-a", "node-b")) {
            NetworkNamespace host = namespace(node);
            nodes.put(node, host);
            join(fabric, host, node, NODE_ADDRESSES.get(node), NODE_ADDRESSES6.get(node));
            for (String sysctl : List.of("net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0",
                    "net.ipv4.conf.default.rp_filter=0", "net.ipv6.conf.all.forwarding=1")) {
                host.exec("sysctl", "-qw", sysctl);
            }
            String other = node.equals("node-a") ? "node-b" : "node-a";
            host.exec("ip", "route", "add", POD_RANGES.get(other) + ".0/24", "via", NODE_ADDRESSES.get(other));
            host.exec("ip", "-6", "route", "add", POD_RANGES6.get(other) + "/64", "via", NODE_ADDRESSES6.get(other));
            // The client reaches pods directly too (pod IPs routable from outside, as with many CNIs).
            client.exec("ip", "route", "add", POD_RANGES.get(node) + ".0/24", "via", NODE_ADDRESSES.get(node));
            client.exec("ip", "-6", "route", "add", POD_RANGES6.get(node) + "/64", "via", NODE_ADDRESSES6.get(node));
            for (int i = 0; i < podsPerNode; i++) {
                pods.add(pod(host, node, "web-" + node.substring(5) + i,
                        POD_RANGES.get(node) + "." + (10 + i), POD_RANGES6.get(node) + Integer.toHexString(0x10 + i),
                        podIndex++));
            }
            bpffsRoots.put(node, mountBpffs(node));
        }
        LOG.info("lab up: client {} {}, nodes {} {}, {} pods", CLIENT_ADDRESS, CLIENT_ADDRESS6, NODE_ADDRESSES,
                NODE_ADDRESSES6, pods.size());
    }

    /** Connects a host's eth0 to the fabric bridge. */
    private void join(NetworkNamespace fabric, NetworkNamespace host, String name, String address, String address6) {
        String port = "p-" + name;
        fabric.exec("ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host.name());
        fabric.exec("ip", "link", "set", port, "master", "br0");
        fabric.exec("ip", "link", "set", port, "up");
        host.exec("ip", "addr", "add", address + "/24", "dev", "eth0");
        host.exec("ip", "-6", "addr", "add", address6 + "/64", "dev", "eth0", "nodad");
        host.exec("ip", "link", "set", "eth0", "up");
    }

    private Pod pod(NetworkNamespace node, String nodeName, String name, String address, String address6, int index) {
        NetworkNamespace namespace = namespace(name);
        String hostSide = "veth" + index;
        node.exec("ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", namespace.name());
        node.exec("ip", "link", "set", hostSide, "up");
        node.exec("ip", "route", "add", address + "/32", "dev", hostSide);
        node.exec("ip", "-6", "route", "add", address6 + "/128", "dev", hostSide);
        namespace.exec("ip", "addr", "add", address + "/32", "dev", "eth0");
        namespace.exec("ip", "-6", "addr", "add", address6 + "/128", "dev", "eth0", "nodad");
        namespace.exec("ip", "link", "set", "eth0", "up");
        namespace.exec("ip", "route", "add", "169.254.1.1", "dev", "eth0");
        namespace.exec("ip", "route", "add", "default", "via", "169.254.1.1");
        namespace.exec("ip", "-6", "route", "add", "default", "via", POD_GATEWAY6, "dev", "eth0");
        // The gateway is the host side of the veth, by a static neighbour entry (no proxy ARP).
        String hostMac = node.exec("cat", "/sys/class/net/" + hostSide + "/address").strip();
        String podMac = namespace.exec("cat", "/sys/class/net/eth0/address").strip();
        namespace.exec("ip", "neigh", "replace", "169.254.1.1", "lladdr", hostMac, "dev", "eth0", "nud", "permanent");
        namespace.exec("ip", "-6", "neigh", "replace", POD_GATEWAY6, "lladdr", hostMac, "dev", "eth0", "nud", "permanent");
        node.exec("ip", "-6", "neigh", "replace", address6, "lladdr", podMac, "dev", hostSide, "nud", "permanent");
        return new Pod(name, nodeName, namespace, address, address6, hostSide);
    }

    private Path mountBpffs(String node) {
        Path root = runDirectory.resolve(node).resolve("bpffs");
        Bpffs.mount(root);
        return root;
    }

    NetworkNamespace client() {
        return client;
    }

    Map<String, NetworkNamespace> nodes() {
        return nodes;
    }

    List<Pod> pods() {
        return pods;
    }

    /** The bpffs this node's agent pins under (a private instance, so agents never collide). */
    Path bpffsRoot(String node) {
        return bpffsRoots.get(node);
    }

    Path runDirectory() {
        return runDirectory;
    }

    @Override
    public void close() {
        for (NetworkNamespace namespace : namespaces.reversed()) {
            namespace.close();
        }
        for (Path root : bpffsRoots.values()) {
            Bpffs.unmount(root);
        }
        LOG.info("lab removed");
    }

    /**
     * Removes namespaces, processes and bpffs mounts a killed lab left behind. The processes are
     * the lab's own (agents, DNS servers) still running in its namespaces: deleting a namespace
     * only unnames it, and they would keep it, their ports and the pinned datapath alive.
     */
    static void removeLeftovers(String prefix, Path runDirectory) {
        String listing = Command.run("ip", "netns", "list");
        for (String line : listing.split("\n")) {
            String name = line.split(" ")[0];
            if (name.startsWith(prefix)) {
                for (String pid : Command.execute("ip", "netns", "pids", name).stdout().split("\\s+")) {
                    if (!pid.isBlank()) {
                        LOG.info("killing process {} left in {}", pid, name);
                        Command.execute("kill", "-KILL", pid.strip());
                    }
                }
                Command.execute("ip", "netns", "delete", name);
            }
        }
        for (String node : NODE_ADDRESSES.keySet()) {
            Path root = runDirectory.resolve(node).resolve("bpffs");
            if (Bpffs.isMounted(root)) {
                Bpffs.unmount(root);
            }
        }
        try {
            if (Files.isDirectory(runDirectory)) {
                try (var walk = Files.walk(runDirectory)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
