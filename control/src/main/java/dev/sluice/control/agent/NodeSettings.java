package dev.sluice.control.agent;

import dev.sluice.control.datapath.DatapathConfig;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.MasqueradeExemptKey;
import dev.sluice.control.model.Cidr;
import dev.sluice.control.model.IpAddresses;
import dev.sluice.control.model.NodeContext;
import dev.sluice.control.model.NodeContexts;
import io.fabric8.kubernetes.api.model.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of the configuration: its addresses (from flags, else its Node object) decide
 * the NodePort frontends, the SNAT source written to sluice_config, and with the cluster CIDRs the
 * destinations pod traffic reaches without masquerading.
 */
final class NodeSettings implements Function<Node, NodeContext> {
    static final String PROXY_NAME = "sluice";
    private static final Logger LOG = LoggerFactory.getLogger(NodeSettings.class);

    private final String nodeName;
    private final List<InetAddress> flaggedAddresses;
    private final List<Cidr> clusterCidrs;
    private final NodePortAddresses nodePortAddresses;
    private final DatapathMaps maps;
    private final int hashSeed;
    private final int snatPortMin;
    private final int snatPortMax;
    private final int flags;
    private DatapathConfig written;
    private Set<MasqueradeExemptKey> exempt = Set.of();
    private boolean warnedNoNodePortAddress;
    /** Per network namespace: the agent's is the node's. */
    private static final Path EPHEMERAL_PORTS = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    NodeSettings(AgentOptions options, String nodeName, DatapathMaps maps) {
        this.nodeName = nodeName;
        this.flaggedAddresses = options.nodeAddresses == null ? List.of()
                : options.nodeAddresses.stream().filter(a -> !a.isBlank()).map(NodeSettings::address).toList();
        this.nodePortAddresses = NodePortAddresses.parse(options.nodePortAddresses);
        this.clusterCidrs = options.clusterCidrs == null ? List.of()
                : options.clusterCidrs.stream().filter(c -> !c.isBlank()).map(Cidr::parse).toList();
        this.maps = maps;
        this.hashSeed = options.hashSeed;
        String[] range = options.snatPorts.split("-");
        this.snatPortMin = Integer.parseInt(range[0].strip());
        this.snatPortMax = Integer.parseInt(range[range.length - 1].strip());
        if (snatPortMin < 1 || snatPortMax > 65535 || snatPortMin > snatPortMax) {
            throw new IllegalArgumentException("--snat-ports: '" + options.snatPorts + "' is no port range like 61000-65535");
        }
        refuseEphemeralOverlap(snatPortMin, snatPortMax, readEphemeralRange());
        this.flags = options.masquerade ? DatapathConfig.F_MASQUERADE : 0;
    }

    /**
     * SNAT ports must lie outside the node's own ephemeral ports: a connection the node opens to a
     * backend from such a port would carry the same reply tuple as a translated one, and XDP would
     * take its replies.
     */
    static void refuseEphemeralOverlap(int min, int max, String ephemeralRange) {
        String[] bounds = ephemeralRange.strip().split("\\s+");
        int low = Integer.parseInt(bounds[0]);
        int high = Integer.parseInt(bounds[bounds.length - 1]);
        if (min <= high && low <= max) {
            throw new IllegalArgumentException("--snat-ports: " + min + "-" + max + " overlaps the node's ephemeral ports "
                    + low + "-" + high + " (net.ipv4.ip_local_port_range), which its own connections use; "
                    + "choose ports outside them (default 1024-29999)");
        }
    }

    private static String readEphemeralRange() {
        try {
            return Files.readString(EPHEMERAL_PORTS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + EPHEMERAL_PORTS, e);
        }
    }

    private static InetAddress address(String text) {
        try {
            return IpAddresses.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--node-addresses: '" + text + "' is not an IP address", e);
        }
    }

    /**
     * At start-up, before anything is known of the Node: writes this agent's settings (seed, SNAT
     * ports, flags) but keeps the node addresses a previous agent pinned, unless flags name them.
     * Writing "no addresses" here would switch SNAT off for new flows until the first sync, which
     * in Kubernetes mode waits for the API server. Also adopts the pinned masq_exempt entries, so
     * the first real apply removes the ones that no longer hold.
     */
    synchronized void adoptPinned() {
        exempt = new HashSet<>(maps.masqueradeExempt().keys());
        List<InetAddress> addresses = flaggedAddresses;
        if (addresses.isEmpty()) {
            DatapathConfig pinned = maps.config().lookup(0).orElse(null);
            List<InetAddress> kept = new java.util.ArrayList<>();
            if (pinned != null && pinned.nodeIpv4() != null) {
                kept.add(pinned.nodeIpv4());
            }
            if (pinned != null && pinned.nodeIpv6() != null) {
                kept.add(pinned.nodeIpv6());
            }
            addresses = kept;
        }
        program(addresses);
    }

    @Override
    public synchronized NodeContext apply(Node node) {
        NodeContext fromNode = NodeContexts.of(nodeName, node, PROXY_NAME);
        List<InetAddress> addresses = flaggedAddresses.isEmpty() ? fromNode.nodeAddresses() : flaggedAddresses;
        program(addresses);
        List<InetAddress> nodePorts = nodePortAddresses.select(addresses);
        boolean noneServe = nodePorts.isEmpty() && !addresses.isEmpty();
        if (noneServe && !warnedNoNodePortAddress) {
            LOG.warn("node {}: no address of {} is inside --nodeport-addresses {}: NodePorts are served nowhere",
                    nodeName, addresses, nodePortAddresses.cidrs());
        }
        warnedNoNodePortAddress = noneServe;
        return new NodeContext(nodeName, fromNode.zone(), nodePorts, PROXY_NAME);
    }

    /** Writes sluice_config and masq_exempt when the node's addresses change. */
    void program(List<InetAddress> addresses) {
        InetAddress ipv4 = addresses.stream().filter(Inet4Address.class::isInstance).findFirst().orElse(null);
        InetAddress ipv6 = addresses.stream().filter(Inet6Address.class::isInstance).findFirst().orElse(null);
        DatapathConfig config = new DatapathConfig(hashSeed, snatPortMin, snatPortMax, ipv4, ipv6, flags);
        if (!config.equals(written)) {
            maps.config().put(0, config);
            written = config;
            LOG.info("node {}: SNAT from {} / {}, ports {}-{}{}", nodeName, ipv4, ipv6, snatPortMin, snatPortMax,
                    flags != 0 ? ", masquerading pod traffic that leaves the cluster" : "");
        }
        Set<MasqueradeExemptKey> wanted = new HashSet<>();
        clusterCidrs.forEach(cidr -> wanted.add(new MasqueradeExemptKey(cidr.address(), cidr.prefixLength())));
        addresses.forEach(a -> wanted.add(new MasqueradeExemptKey(a, a instanceof Inet4Address ? 32 : 128)));
        if (!Objects.equals(wanted, exempt)) {
            wanted.stream().filter(k -> !exempt.contains(k)).forEach(k -> maps.masqueradeExempt().put(k, (byte) 1));
            exempt.stream().filter(k -> !wanted.contains(k)).forEach(maps.masqueradeExempt()::delete);
            exempt = wanted;
        }
    }
}
