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
final class NodeSettings implements NodeProgramming {
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
    private final int replyRateLimit;
    private DatapathConfig written;
    /** What masq_exempt holds, as far as successful writes tell. */
    private Set<MasqueradeExemptKey> exempt = new HashSet<>();
    private List<InetAddress> programmedFor = List.of();
    private final java.util.Map<String, String> failing = new java.util.TreeMap<>();
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
        PortRange snatPorts = PortRange.parse("--snat-ports", options.snatPorts, "61000-65535");
        this.snatPortMin = snatPorts.min();
        this.snatPortMax = snatPorts.max();
        refuseEphemeralOverlap(snatPortMin, snatPortMax, readEphemeralRange());
        this.flags = options.masquerade ? DatapathConfig.F_MASQUERADE : 0;
        if (options.replyRateLimit < 1) {
            throw new IllegalArgumentException("--reply-rate-limit: " + options.replyRateLimit
                    + " must be at least 1 reply per second");
        }
        this.replyRateLimit = options.replyRateLimit;
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

    /**
     * Writes sluice_config and masq_exempt when the node's addresses change. A write that fails is
     * recorded as not done, reported by {@link #failures()} and done again by the next call.
     */
    synchronized void program(List<InetAddress> addresses) {
        programmedFor = List.copyOf(addresses);
        InetAddress ipv4 = addresses.stream().filter(Inet4Address.class::isInstance).findFirst().orElse(null);
        InetAddress ipv6 = addresses.stream().filter(Inet6Address.class::isInstance).findFirst().orElse(null);
        DatapathConfig config = new DatapathConfig(hashSeed, snatPortMin, snatPortMax, ipv4, ipv6, flags, replyRateLimit);
        if (!config.equals(written)) {
            attempt(DatapathMaps.CONFIG, () -> {
                maps.config().put(0, config);
                written = config;
                LOG.info("node {}: SNAT from {} / {}, ports {}-{}{}", nodeName, ipv4, ipv6, snatPortMin, snatPortMax,
                        flags != 0 ? ", masquerading pod traffic that leaves the cluster" : "");
            });
        }
        Set<MasqueradeExemptKey> wanted = new HashSet<>();
        clusterCidrs.forEach(cidr -> wanted.add(new MasqueradeExemptKey(cidr.address(), cidr.prefixLength())));
        addresses.forEach(a -> wanted.add(new MasqueradeExemptKey(a, a instanceof Inet4Address ? 32 : 128)));
        failing.keySet().removeIf(entry -> entry.startsWith(DatapathMaps.MASQUERADE_EXEMPT));
        for (MasqueradeExemptKey key : wanted) {
            if (!exempt.contains(key)) {
                attempt(DatapathMaps.MASQUERADE_EXEMPT + " " + key, () -> {
                    maps.masqueradeExempt().put(key, (byte) 1);
                    exempt.add(key);
                });
            }
        }
        for (MasqueradeExemptKey key : List.copyOf(exempt)) {
            if (!wanted.contains(key)) {
                attempt(DatapathMaps.MASQUERADE_EXEMPT + " " + key, () -> {
                    maps.masqueradeExempt().delete(key);
                    exempt.remove(key);
                });
            }
        }
    }

    /** Writes again whatever failed. */
    @Override
    public synchronized void retry() {
        if (!failing.isEmpty()) {
            program(programmedFor);
        }
    }

    /** The node settings whose write failed and waits for a retry, with the error. */
    @Override
    public synchronized List<String> failures() {
        List<String> failures = new java.util.ArrayList<>();
        failing.forEach((entry, error) -> failures.add("cannot program " + entry + ": " + error));
        return failures;
    }

    private void attempt(String entry, Runnable write) {
        try {
            write.run();
            failing.remove(entry);
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            failing.put(entry, message);
            LOG.error("node {}: cannot program {}: {}", nodeName, entry, message);
        }
    }
}
