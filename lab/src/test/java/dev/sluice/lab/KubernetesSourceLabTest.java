package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.source.KubernetesSource;
import dev.sluice.ffm.testing.KernelTest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The basic scenarios with the agents on the Kubernetes source: fabric8's mock API server in CRUD
 * mode holds the Nodes, Services and EndpointSlices, and changes go through its API.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesSourceLabTest {
    private static final int REQUESTS = 40;
    private static final String WEB_IP = LabManifest.WEB_CLUSTER_IP;
    private static final int NODE_PORT = LabManifest.WEB_NODE_PORT;
    private static final Duration CONVERGENCE = Duration.ofSeconds(15);
    // Held so the level sticks: the mock logs every request through java.util.logging, which drowns the lab's log.
    private static final java.util.logging.Logger MOCK_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

    private KubernetesMockServer server;
    private KubernetesClient api;
    private Lab lab;
    private boolean changed;

    @BeforeAll
    void start() {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        // Plain HTTP: the agents' client then needs no certificate, only the relay's address.
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        api = server.createClient();
        lab = Lab.startOnKubernetes(2, new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getPort()),
                pods -> {
                    LabTopology.NODE_ADDRESSES.forEach((node, address) -> put(new NodeBuilder()
                            .withNewMetadata().withName(node).endMetadata()
                            .withNewStatus().addNewAddress().withType("InternalIP").withAddress(address).endAddress()
                            .endStatus().build()));
                    LabManifest.objects(pods).forEach(this::put);
                });
    }

    @AfterEach
    void restore() {
        if (changed) {
            changed = false;
            Instant written = Instant.now();
            LabManifest.objects(lab.pods()).forEach(this::put);
            awaitSync(written);
            Failures.eventually(CONVERGENCE, () -> assertThat(reachedThroughNodePorts()).hasSize(lab.pods().size()));
        }
    }

    @AfterAll
    void stop() {
        try {
            if (lab != null) {
                lab.close();
            }
        } finally {
            if (api != null) {
                api.close();
            }
            if (server != null) {
                server.destroy();
            }
        }
    }

    @Test
    void clusterIpFromAPodReachesEveryBackend() {
        Pod from = lab.pods().getLast();
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < REQUESTS; i++) {
            Answer answer = Answer.parse(lab.podClient(from).http(WEB_IP, LabManifest.WEB_PORT));
            assertThat(answer.port()).isEqualTo(Backends.HTTP_PORT);
            reached.add(answer.pod());
        }
        assertThat(reached).containsExactlyInAnyOrderElementsOf(lab.pods().stream().map(Pod::name).toList());
    }

    @Test
    void nodePortThroughEachNodeReachesEveryBackendAndRemoteOnesSeeTheNode() {
        for (String node : List.of("node-a", "node-b")) {
            String nodeAddress = LabTopology.NODE_ADDRESSES.get(node);
            Map<String, String> clientSeenByPod = new HashMap<>();
            for (int i = 0; i < REQUESTS; i++) {
                Answer answer = Answer.parse(lab.client().http(nodeAddress, NODE_PORT));
                clientSeenByPod.put(answer.pod(), answer.client());
            }
            Map<String, String> expected = new HashMap<>();
            for (Pod pod : lab.pods()) {
                expected.put(pod.name(), pod.node().equals(node) ? LabTopology.CLIENT_ADDRESS : nodeAddress);
            }
            assertThat(clientSeenByPod).as("pod -> client address it saw, through %s", node).isEqualTo(expected);
        }
    }

    @Test
    void aPodRemovedFromTheEndpointSliceGetsNoNewConnections() {
        // A remote pod, so the removal matters to the node translating the connection too.
        Pod removed = lab.pods().stream().filter(pod -> pod.node().equals("node-b")).findFirst().orElseThrow();
        List<Pod> remaining = lab.pods().stream().filter(pod -> pod != removed).toList();
        EndpointSlice slice = (EndpointSlice) LabManifest.slice("web", remaining, "http", Backends.HTTP_PORT, "TCP");
        changed = true;
        Instant written = Instant.now();
        put(slice);
        awaitSync(written);

        // The sync awaited may be a periodic one that began before the update arrived: retry.
        Failures.eventually(CONVERGENCE, () -> {
            Set<String> reached = reachedThroughNodePorts();
            for (int i = 0; i < REQUESTS / 2; i++) {
                reached.add(Answer.parse(lab.podClient(lab.pods().getFirst()).http(WEB_IP, LabManifest.WEB_PORT)).pod());
            }
            assertThat(reached).doesNotContain(removed.name()).hasSize(remaining.size());
        });
    }

    @Test
    void aDeletedServiceRefusesConnectionsThroughItsNodePort() {
        changed = true;
        assertThat(api.services().inNamespace("default").withName("web").delete()).isNotEmpty();
        for (String node : List.of("node-a", "node-b")) {
            Failures.eventually(CONVERGENCE, () -> {
                Throwable thrown = Failures.thrownBy(() -> lab.client().namespace().run(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(LabTopology.NODE_ADDRESSES.get(node), NODE_PORT), 3000);
                    }
                }));
                assertThat(thrown).as("through %s", node).isInstanceOf(ConnectException.class)
                        .hasMessageContaining("refused");
            });
        }
    }

    /** Pods reached by requests from the client through both nodes' NodePort. */
    private Set<String> reachedThroughNodePorts() {
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < REQUESTS / 2; i++) {
            for (String address : LabTopology.NODE_ADDRESSES.values()) {
                reached.add(Answer.parse(lab.client().http(address, NODE_PORT)).pod());
            }
        }
        return reached;
    }

    private void put(HasMetadata object) {
        api.resource(object).createOr(NonDeletingOperation::update);
    }

    /** The source coalesces changes for its quiet period, so only a sync after that reflects the write. */
    private void awaitSync(Instant written) {
        Instant earliest = written.plus(KubernetesSource.DEFAULT_QUIET_PERIOD);
        lab.agents().values().forEach(agent -> agent.awaitSyncAfter(earliest, CONVERGENCE));
    }
}
