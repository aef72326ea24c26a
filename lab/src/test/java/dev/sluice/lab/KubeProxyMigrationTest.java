package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.control.datapath.DropReason;
import dev.sluice.ffm.sys.NetworkNamespace;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch from kube-proxy to sluice, as a node lives it: the nodes first serve the services with
 * kube-proxy's iptables rules, connections are opened through them (NodePorts from outside,
 * ClusterIPs from a pod; local and remote backends; IPv4 and IPv6), then --cleanup-kube-proxy
 * removes the rules and the agents start. The connections opened before go on, byte for byte, on
 * the same backend, with nf_conntrack's NAT (sluice tracks none of them), and end cleanly in every
 * way a connection ends; new connections are sluice's.
 */
class KubeProxyMigrationTest extends LabTest {
    private static final Logger LOG = LoggerFactory.getLogger(KubeProxyMigrationTest.class);
    private static final long BEFORE_BYTES = 1 << 20;
    private static final long AFTER_BYTES = 4 << 20;
    private static final Duration ONE_SHOT = Duration.ofSeconds(60);
    private static final Duration REOPEN_PATIENCE = Duration.ofSeconds(1);
    private static final Duration ONE_SYN = Duration.ofMillis(900);
    private static final int FIRST_CLIENT_PORT = 47000;

    @Override
    protected List<HasMetadata> manifest(List<Pod> pods) {
        return RealTrafficManifest.objects(pods);
    }

    @Override
    protected boolean agentsAtStart() {
        return false;
    }

    /** Every path through node-a: NodePort from the client and ClusterIP from web-a1, to web-a0 (local) and web-b0 (remote). */
    private static List<TrafficPath> paths() {
        List<TrafficPath> paths = new ArrayList<>();
        for (boolean ipv6 : List.of(false, true)) {
            paths.addAll(TrafficPath.nodePorts(ipv6).stream().filter(p -> p.kind().endsWith("node-a")).toList());
            paths.add(TrafficPath.clusterIp("web-a1", 0, true, ipv6));
            paths.add(TrafficPath.clusterIp("web-a1", 2, false, ipv6));
        }
        return paths;
    }

    @Test
    void connectionsOpenedThroughKubeProxySurviveTheSwitchToSluice() throws Exception {
        for (String node : lab.topology().nodes().keySet()) {
            loadKubeProxyRules(node);
        }
        List<TrafficPath> paths = paths();
        List<PayloadConnection> before = new ArrayList<>();
        try {
            for (int i = 0; i < paths.size(); i++) {
                TrafficPath path = paths.get(i);
                // Bound with SO_REUSEADDR, which a client port's reuse from TIME_WAIT needs on both sockets.
                InetSocketAddress local = new InetSocketAddress(path.source(lab), FIRST_CLIENT_PORT + i);
                PayloadConnection connection = PayloadConnection.open(path.origin(lab), path.target(), local);
                before.add(connection);
                assertThat(connection.who().pod()).as("kube-proxy's backend for " + path).isEqualTo(path.backendPod(lab).name());
                connection.receive(BEFORE_BYTES);
                connection.upload(BEFORE_BYTES);
            }
            LOG.info("{} connections open through kube-proxy's rules; switching", before.size());

            for (String node : lab.topology().nodes().keySet()) {
                LabAgent agent = lab.agents().get(node);
                assertThat(agent.runOnce(ONE_SHOT, "--cleanup-kube-proxy")).as("cleanup on " + node + "; see " + agent.log())
                        .isZero();
                assertKubeProxyRulesGone(node);
            }
            lab.startAgents();
            assertThat(Files.readString(lab.agents().get("node-a").log())).contains("stay with nf_conntrack");

            for (int i = 0; i < paths.size(); i++) {
                TrafficPath path = paths.get(i);
                PayloadConnection connection = before.get(i);
                assertThat(connection.who().pod()).as("the backend of " + path + " after the switch")
                        .isEqualTo(path.backendPod(lab).name());
                connection.receive(AFTER_BYTES);
                connection.upload(AFTER_BYTES);
            }
            // The kernel translated them: the handoff table the cleanup added counted their packets.
            String handoff = lab.topology().nodes().get("node-a").exec("nft", "list", "table", "inet", "sluice-handoff");
            Matcher dnat = Pattern.compile("ct status dnat counter packets (\\d+)").matcher(handoff);
            assertThat(dnat.find()).as(handoff).isTrue();
            assertThat(Long.parseLong(dnat.group(1))).as("packets of kube-proxy's connections on node-a").isPositive();
            List<String> sluiceTracks = trackedSources("node-a");
            for (PayloadConnection connection : before) {
                assertThat(sluiceTracks).as("sluice's conntrack on node-a").doesNotContain(endpoint(connection.localAddress()));
            }

            // New connections on the same paths are sluice's now.
            for (TrafficPath path : paths) {
                try (PayloadConnection fresh = PayloadConnection.open(path.origin(lab), path.target())) {
                    assertThat(fresh.who().pod()).as("sluice's backend for " + path).isEqualTo(path.backendPod(lab).name());
                    fresh.receive(BEFORE_BYTES);
                    assertThat(trackedSources("node-a")).as("sluice tracks the new connection of " + path)
                            .contains(endpoint(fresh.localAddress()));
                    fresh.closeFirstAndAwaitTheServersClose();
                }
            }

            // Every way a connection ends, on the old ones.
            List<Consumer<PayloadConnection>> endings = List.of(
                    PayloadConnection::closeFirstAndAwaitTheServersClose,
                    c -> c.receiveUntilServerCloses(BEFORE_BYTES),
                    c -> c.halfClose(BEFORE_BYTES),
                    PayloadConnection::serverResets);
            List<InetSocketAddress> locals = before.stream().map(PayloadConnection::localAddress).toList();
            for (int i = 0; i < before.size(); i++) {
                endings.get(i % endings.size()).accept(before.get(i));
            }

            // A client port reused at once: nf_conntrack still holds the old connection (closing, or
            // in TIME_WAIT), and the new one on the same tuple must still connect on its first SYN.
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < paths.size(); i++) {
                TrafficPath path = paths.get(i);
                InetSocketAddress local = locals.get(i);
                try (PayloadConnection again = PayloadConnection.reopen(path.origin(lab), path.target(), local, REOPEN_PATIENCE)) {
                    if (again.connectTime().compareTo(ONE_SYN) >= 0) {
                        failures.add(path + " from " + local + ": connected after " + again.connectTime()
                                + " (the first SYN was dropped)");
                    }
                    assertThat(again.who().pod()).as("sluice's backend for " + path + " from the reused port " + local)
                            .isEqualTo(path.backendPod(lab).name());
                    again.receive(BEFORE_BYTES);
                    again.closeFirstAndAwaitTheServersClose();
                } catch (TransferFailure failure) {
                    failures.add(path + " from " + local + ": " + failure.getMessage());
                }
            }
            assertThat(failures).as("new connections from the ports of kube-proxy's connections").isEmpty();
        } finally {
            before.forEach(PayloadConnection::close);
        }
        for (String node : lab.topology().nodes().keySet()) {
            Path root = lab.topology().bpffsRoot(node);
            for (DropReason reason : DropReason.values()) {
                assertThat(Cli.drops(root, reason.label())).as(reason.label() + " drops on " + node).isZero();
            }
        }
    }

    /** kube-proxy's rules for the payload services of web-a0 and web-b0, both families, as its iptables mode writes them. */
    protected void loadKubeProxyRules(String node) throws IOException {
        NetworkNamespace namespace = lab.topology().nodes().get(node);
        for (boolean ipv6 : List.of(false, true)) {
            Path input = Lab.RUN_DIRECTORY.resolve(node + (ipv6 ? "-kube-proxy6.rules" : "-kube-proxy.rules"));
            Files.writeString(input, kubeProxyRules(ipv6).restoreInput());
            namespace.exec(ipv6 ? "ip6tables-restore" : "iptables-restore", "--noflush", input.toString());
        }
        assertThat(namespace.exec("iptables-save")).contains("KUBE-SEP-");
    }

    /** After the cleanup: KUBE-FIREWALL in filter is kubelet's, and stays; nothing else of kube-proxy's does. */
    protected void assertKubeProxyRulesGone(String node) {
        NetworkNamespace namespace = lab.topology().nodes().get(node);
        assertThat((namespace.exec("iptables-save") + namespace.exec("ip6tables-save")).lines()
                .filter(line -> line.contains("KUBE-")).distinct().toList())
                .as("what kube-proxy left on " + node).containsExactly(":KUBE-FIREWALL - [0:0]");
    }

    /** The payload services of web-a0 and web-b0 in one family, each with its one endpoint. */
    protected KubeProxyRules kubeProxyRules(boolean ipv6) {
        KubeProxyRules rules = new KubeProxyRules(ipv6, ipv6 ? "2001:db8:a::/63" : "198.18.10.0/23");
        for (int pod : RealTrafficManifest.EDGE_PODS) {
            Pod backend = lab.pods().get(pod);
            rules.add(new KubeProxyRules.ServicePort("default/pay-" + backend.name() + (ipv6 ? "-v6" : "") + ":pay",
                    RealTrafficManifest.clusterIp(pod, ipv6), PayloadServer.PORT, RealTrafficManifest.nodePort(pod, ipv6),
                    ipv6 ? backend.address6() : backend.address(), PayloadServer.PORT));
        }
        return rules;
    }

    /** The client endpoints of the forward entries in a node's sluice conntrack. */
    private List<String> trackedSources(String node) {
        List<String> sources = new ArrayList<>();
        for (JsonNode entry : Cli.json(lab.topology().bpffsRoot(node), "ct", "--direction", "forward")) {
            JsonNode source = entry.get("source");
            sources.add(endpoint(new InetSocketAddress(literal(source.get("address").asText()), source.get("port").asInt())));
        }
        return sources;
    }

    private static String endpoint(InetSocketAddress address) {
        return address.getAddress().getHostAddress().replaceAll("%.*", "") + " " + address.getPort();
    }

    private static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (IOException e) {
            throw new UncheckedIOException("not an address literal: " + address, e);
        }
    }
}
