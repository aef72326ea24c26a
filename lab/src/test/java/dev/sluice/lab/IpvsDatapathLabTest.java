package dev.sluice.lab;

import static dev.sluice.lab.Manifest.endpointPort;
import static dev.sluice.lab.Manifest.port;
import static dev.sluice.lab.Manifest.service;
import static dev.sluice.lab.Manifest.slice;
import static dev.sluice.lab.Manifest.slice6;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.ffm.ipvs.IpvsClient;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.IpvsKernelTest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lab's scenarios with both agents on IPVS, node-a's told so ({@code --datapath ipvs}) and
 * node-b's falling back to it ({@code --datapath auto} where BPF is denied): one lab for the
 * class (an agent takes a minute to start in the kernel lab's emulated guest), real connections
 * checked byte for byte. Single-endpoint services say which pod must answer and whether it is
 * local or remote to the node a connection goes through. Affinity is IPVS persistence by client
 * address, so its scenario connects from several client addresses. Scale-down and the agent
 * restart change the lab and run last.
 */
@IpvsKernelTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IpvsDatapathLabTest extends LabTest {
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final List<Long> SIZES = List.of(0L, 64 * KIB, MIB);
    private static final String NODE_A = LabTopology.NODE_ADDRESSES.get("node-a");
    private static final String NODE_B = LabTopology.NODE_ADDRESSES.get("node-b");
    /** Extra client addresses on the fabric: affinity keeps each on one backend, so clients, not connections, spread. */
    private static final List<String> CLIENT_ADDRESSES =
            List.of("198.18.0.11", "198.18.0.12", "198.18.0.13", "198.18.0.14", "198.18.0.15", "198.18.0.16",
                    "198.18.0.17", "198.18.0.18");
    /** web-a0 alone, web-b0 alone (ClusterIP and NodePort); web-a0 over IPv6. */
    private static final String ONE_A0 = "198.18.100.100";
    private static final int ONE_A0_NODE_PORT = 31000;
    private static final String ONE_B0 = "198.18.100.102";
    private static final int ONE_B0_NODE_PORT = 31002;
    private static final String ONE_A0_V6 = "2001:db8:100::100";
    private static final int ONE_A0_NODE_PORT6 = 31010;
    private static final String STICKY = "198.18.100.120";
    private static final int STICKY_NODE_PORT = 31020;
    private static final int AFFINITY_SECONDS = 600;
    private static final int LOCAL_NODE_PORT = 31030;
    private static final String EMPTY = "198.18.100.160";
    private static final String SCALE = "198.18.100.150";
    private static final int SCALE_NODE_PORT = 31050;
    private static final int CONNECT_MILLIS = 1500;

    /** All of them reaching one of 3 or 4 backends by chance: below 1 in 10^7. */
    private static final int SPREAD_CONNECTIONS = 16;
    /** Pods the "scale" service has lost (scale-down). */
    private final Set<String> scaledAway = new TreeSet<>();

    /** node-a is told --datapath ipvs; node-b runs auto where BPF is denied, so it must fall back. */
    @Override
    protected LabDatapath datapath(String node) {
        return node.equals("node-a") ? LabDatapath.IPVS : LabDatapath.IPVS_FALLBACK;
    }

    @Override
    protected List<HasMetadata> manifest(List<Pod> pods) {
        EndpointPort payload = endpointPort("pay", PayloadServer.PORT, "TCP");
        EndpointPort http = endpointPort("http", Backends.HTTP_PORT, "TCP");
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(service("one-a0", "NodePort", ONE_A0,
                port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, ONE_A0_NODE_PORT)).build());
        objects.add(slice("one-a0", only(pods, "web-a0"), payload));
        objects.add(service("one-b0", "NodePort", ONE_B0,
                port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, ONE_B0_NODE_PORT)).build());
        objects.add(slice("one-b0", only(pods, "web-b0"), payload));
        objects.add(service("one-a0-v6", "NodePort", ONE_A0_V6,
                port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, ONE_A0_NODE_PORT6))
                .editSpec().withIpFamilies("IPv6").withIpFamilyPolicy("SingleStack").endSpec().build());
        objects.add(slice6("one-a0-v6", only(pods, "web-a0"), payload));
        objects.add(service("sticky", "NodePort", STICKY, port("http", 80, "TCP", Backends.HTTP_PORT, STICKY_NODE_PORT))
                .editSpec().withSessionAffinity("ClientIP").withNewSessionAffinityConfig().withNewClientIP()
                .withTimeoutSeconds(AFFINITY_SECONDS).endClientIP().endSessionAffinityConfig().endSpec().build());
        objects.add(slice("sticky", pods, http));
        objects.add(service("local", "NodePort", "198.18.100.130", port("http", 80, "TCP", Backends.HTTP_PORT, LOCAL_NODE_PORT))
                .editSpec().withExternalTrafficPolicy("Local").endSpec().build());
        objects.add(slice("local", pods.stream().filter(pod -> pod.node().equals("node-a")).toList(), http));
        objects.add(service("empty", "ClusterIP", EMPTY, port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, 0))
                .build());
        objects.add(service("scale", "NodePort", SCALE, port("http", 80, "TCP", Backends.HTTP_PORT, SCALE_NODE_PORT))
                .build());
        objects.add(slice("scale", pods.stream().filter(pod -> !scaledAway.contains(pod.name())).toList(), http));
        return objects;
    }

    private static List<Pod> only(List<Pod> pods, String name) {
        return pods.stream().filter(pod -> pod.name().equals(name)).toList();
    }

    @BeforeAll
    void addClientAddresses() {
        for (String address : CLIENT_ADDRESSES) {
            lab.topology().client().exec("ip", "addr", "add", address + "/24", "dev", "eth0");
        }
    }

    @Test
    @Order(1)
    void bothAgentsRunTheIpvsDatapath() {
        for (LabAgent agent : lab.agents().values()) {
            assertThat(datapathOf(agent)).as("/statusz datapath of %s", agent.log()).isEqualTo("ipvs");
        }
        // Told ipvs: no fallback. On auto without CAP_BPF: the reason, in /statusz and the metric.
        LabAgent told = lab.agents().get("node-a");
        LabAgent fellBack = lab.agents().get("node-b");
        assertThat(told.status().get("datapathFallback").isNull()).as("/statusz of %s", told.log()).isTrue();
        assertThat(told.metrics()).contains("sluice_datapath_info{datapath=\"ipvs\",fallback=\"false\"} 1");
        assertThat(fellBack.status().get("datapathFallback").asText()).as("/statusz of %s", fellBack.log())
                .containsAnyOf("EPERM", "Operation not permitted");
        assertThat(fellBack.metrics()).contains("sluice_datapath_info{datapath=\"ipvs\",fallback=\"true\"} 1");
        IpvsService oneA0 = ipvs("node-b", ipvs -> ipvs.service(key(NODE_B, ONE_A0_NODE_PORT)).orElseThrow());
        assertThat(oneA0.scheduler()).isIn("mh", "rr");
    }

    @Test
    @Order(2)
    void clusterIpFromAPodReachesALocalAndARemoteBackendWithEveryByteIntact() {
        for (String from : List.of("web-a1", "web-b1")) {
            Pod origin = pod(from);
            transfer(origin, new InetSocketAddress(ONE_A0, PayloadServer.PORT), "web-a0", origin.address());
            transfer(origin, new InetSocketAddress(ONE_B0, PayloadServer.PORT), "web-b0", origin.address());
        }
    }

    /** ExternalTrafficPolicy Cluster: the client is masqueraded, so replies come back through the node. */
    @Test
    @Order(3)
    void nodePortsOnBothNodesReachLocalAndRemoteBackendsWithEveryByteIntact() {
        for (String node : List.of(NODE_A, NODE_B)) {
            transfer(lab.topology().client(), new InetSocketAddress(node, ONE_A0_NODE_PORT), "web-a0", node);
            transfer(lab.topology().client(), new InetSocketAddress(node, ONE_B0_NODE_PORT), "web-b0", node);
        }
    }

    @Test
    @Order(4)
    void ipv6ClusterIpAndNodePortReachTheirBackend() {
        String nodeB6 = LabTopology.NODE_ADDRESSES6.get("node-b");
        transfer(pod("web-b1"), new InetSocketAddress(ONE_A0_V6, PayloadServer.PORT), "web-a0", pod("web-b1").address6());
        transfer(lab.topology().client(), new InetSocketAddress(nodeB6, ONE_A0_NODE_PORT6), "web-a0", nodeB6);
    }

    /**
     * ClientIP affinity is IPVS persistence: each client address keeps one pod, and the kernel holds
     * a persistence template for it; different clients still spread.
     */
    @Test
    @Order(5)
    void clientIpAffinityKeepsEachClientOnOnePod() {
        Map<String, Set<String>> podsByClient = new LinkedHashMap<>();
        for (String client : CLIENT_ADDRESSES) {
            for (int i = 0; i < 5; i++) {
                podsByClient.computeIfAbsent(client, c -> new TreeSet<>()).add(http(client, NODE_A, STICKY_NODE_PORT).pod());
            }
        }
        podsByClient.forEach((client, pods) -> assertThat(pods).as("pods %s reached over 5 connections", client).hasSize(1));
        assertThat(podsByClient.values().stream().flatMap(Set::stream).distinct().count())
                .as("pods the %d clients reached: %s", CLIENT_ADDRESSES.size(), podsByClient).isGreaterThan(1);
        IpvsServiceKey sticky = key(NODE_A, STICKY_NODE_PORT);
        IpvsService service = ipvs("node-a", ipvs -> ipvs.service(sticky).orElseThrow());
        assertThat(service.isPersistent()).isTrue();
        assertThat(service.persistenceTimeoutSeconds()).isEqualTo(AFFINITY_SECONDS);
        long templates = ipvs("node-a", ipvs -> ipvs.destinations(sticky)).stream()
                .mapToLong(d -> d.stats().orElseThrow().persistentConnections()).sum();
        assertThat(templates).as("persistence templates of %s", sticky).isEqualTo(CLIENT_ADDRESSES.size());
    }

    @Test
    @Order(6)
    void externalTrafficPolicyLocalKeepsTheClientAddressAndNeverLeavesTheNode() {
        for (String client : CLIENT_ADDRESSES) {
            Answer answer = http(client, NODE_A, LOCAL_NODE_PORT);
            assertThat(answer.pod()).as("the pod %s reached through node-a", client).startsWith("web-a");
            assertThat(answer.client()).isEqualTo(client);
        }
        // node-b has no local endpoint: no connection may be forwarded to node-a's pods.
        Throwable thrown = Failures.thrownBy(() -> connect(lab.topology().client(), NODE_B, LOCAL_NODE_PORT));
        assertThat(thrown).as("a connection to node-b's Local NodePort without local endpoints")
                .isInstanceOfAny(ConnectException.class, SocketTimeoutException.class);
    }

    /** kube-proxy rejects new connections to a service without endpoints at once: a TCP reset, not silence. */
    @Test
    @Order(7)
    void aServiceWithoutEndpointsRefusesAtOnce() {
        for (String from : List.of("web-a1", "web-b1")) {
            long started = System.nanoTime();
            Throwable thrown = Failures.thrownBy(() -> connect(pod(from), EMPTY, PayloadServer.PORT));
            assertThat(thrown).as("connect from %s to %s, a service without endpoints (after %s)", from, EMPTY,
                    Millis.since(started)).isInstanceOf(ConnectException.class).hasMessageContaining("refused");
        }
    }

    /**
     * Without affinity one client's connections spread over the backends (mh hashes its port too,
     * as the eBPF datapath's Maglev hashes the whole tuple); after a scale-down none reaches the
     * removed backend, through either node, and IPVS lists the rest.
     */
    @Test
    @Order(8)
    void afterScaleDownNewConnectionsAvoidTheRemovedBackend() {
        String client = CLIENT_ADDRESSES.getFirst();
        Set<String> before = podsReached(client, NODE_A);
        assertThat(before).as("pods one client reached over %d connections without affinity", SPREAD_CONNECTIONS)
                .hasSizeGreaterThan(1);
        String removed = before.iterator().next();
        scaledAway.add(removed);
        lab.apply(manifest(lab.pods()));
        for (String node : List.of(NODE_A, NODE_B)) {
            Set<String> after = podsReached(client, node);
            assertThat(after).as("pods reached through %s after %s left (before: %s)", node, removed, before)
                    .doesNotContain(removed).hasSizeGreaterThan(1);
        }
        List<String> destinations = ipvs("node-a", ipvs -> ipvs.destinations(key(NODE_A, SCALE_NODE_PORT))).stream()
                .map(IpvsDestination::endpoint).toList();
        assertThat(destinations).hasSize(lab.pods().size() - 1)
                .doesNotContain(pod(removed).address() + ":" + Backends.HTTP_PORT);
    }

    /**
     * The kernel holds IPVS state, not the agent: a connection established before kill -9 keeps
     * moving bytes while no agent runs and after a new one started, and services are still served.
     */
    @Test
    @Order(9)
    void anEstablishedConnectionSurvivesAnAgentRestart() {
        LabAgent agent = lab.agents().get("node-a");
        try (PayloadConnection connection = PayloadConnection.open(lab.topology().client(),
                new InetSocketAddress(NODE_A, ONE_B0_NODE_PORT)).tolerant(Lab.scaled(Duration.ofSeconds(2)))) {
            assertThat(connection.who().pod()).isEqualTo("web-b0");
            agent.kill();
            connection.receive(64 * KIB);
            transfer(lab.topology().client(), new InetSocketAddress(NODE_A, ONE_A0_NODE_PORT), "web-a0", NODE_A);
            agent.start(Lab.scaled(Duration.ofSeconds(60)));
            connection.receive(MIB);
            connection.upload(MIB);
            assertThat(connection.who().pod()).isEqualTo("web-b0");
        }
        assertThat(datapathOf(agent)).isEqualTo("ipvs");
        transfer(lab.topology().client(), new InetSocketAddress(NODE_A, ONE_B0_NODE_PORT), "web-b0", NODE_A);
        transfer(pod("web-a1"), new InetSocketAddress(ONE_B0, PayloadServer.PORT), "web-b0", pod("web-a1").address());
    }

    /**
     * One connection through {@code target}: the right pod answers, having seen {@code seenClient},
     * then each size comes back and goes up whole.
     */
    private void transfer(Object origin, InetSocketAddress target, String expectedPod, String seenClient) {
        try (PayloadConnection connection = PayloadConnection.open(namespaceOf(origin), target)
                .tolerant(Lab.scaled(Duration.ofSeconds(1)))) {
            Answer answer = connection.who();
            assertThat(answer.pod()).as("the pod answering %s", target).isEqualTo(expectedPod);
            // Compared as addresses: Java spells IPv6 ones in full (2001:db8:b:0:0:0:0:11).
            assertThat(address(answer.client())).as("the client %s saw through %s", expectedPod, target)
                    .isEqualTo(address(seenClient));
            for (long size : SIZES) {
                connection.receive(size);
                connection.upload(size);
            }
        }
    }

    private static NetworkNamespace namespaceOf(Object origin) {
        return origin instanceof Pod pod ? pod.namespace() : (NetworkNamespace) origin;
    }

    /** The pods {@code client} reaches through {@code node}'s "scale" NodePort over {@link #SPREAD_CONNECTIONS} connections. */
    private Set<String> podsReached(String client, String node) {
        Set<String> reached = new TreeSet<>();
        for (int i = 0; i < SPREAD_CONNECTIONS; i++) {
            reached.add(http(client, node, SCALE_NODE_PORT).pod());
        }
        return reached;
    }

    private Answer http(String client, String address, int port) {
        return Answer.parse(lab.client().http(address, port, new InetSocketAddress(client, 0)));
    }

    private static void connect(Object origin, String address, int port) {
        namespaceOf(origin).run(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), CONNECT_MILLIS);
            }
        });
    }

    private <T> T ipvs(String node, Function<IpvsClient, T> read) {
        return lab.topology().nodes().get(node).call(() -> {
            try (IpvsClient ipvs = IpvsClient.open()) {
                return read.apply(ipvs);
            }
        });
    }

    private static IpvsServiceKey key(String address, int port) {
        return new IpvsServiceKey(address(address), IpvsProtocol.TCP, port);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /**
     * The agent's /statusz datapath field; its HTTP server may miss the lab's 2 s read timeout once
     * in an emulated guest on a busy host, so it is asked until it answers.
     */
    private static String datapathOf(LabAgent agent) {
        long deadline = System.nanoTime() + Lab.scaled(Duration.ofSeconds(5)).toNanos();
        JsonNode status = agent.status();
        while (status == null && System.nanoTime() < deadline) {
            status = agent.status();
        }
        assertThat(status).as("/statusz of %s", agent.log()).isNotNull();
        return status.get("datapath").asText();
    }

    private Pod pod(String name) {
        return lab.pods().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pod " + name));
    }
}
