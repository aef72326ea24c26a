package dev.sluice.lab;

import static dev.sluice.lab.Manifest.endpointPort;
import static dev.sluice.lab.Manifest.port;
import static dev.sluice.lab.Manifest.service;
import static dev.sluice.lab.Manifest.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * sig-network "should work for type=LoadBalancer with externalTrafficPolicy Local" in the parts a
 * node decides: client address preserved, no forwarding from a node without local endpoints, and
 * the health-check node port telling load balancers which nodes to use.
 */
class ExternalTrafficPolicyLocalTest extends LabTest {
    private static final int NODE_PORT = 30100;
    private static final int HEALTH_CHECK_NODE_PORT = 32100;
    private static final String NODE_A = LabTopology.NODE_ADDRESSES.get("node-a");
    private static final String NODE_B = LabTopology.NODE_ADDRESSES.get("node-b");

    /** Endpoints only on node-a. */
    @Override
    protected List<HasMetadata> manifest(List<Pod> pods) {
        return List.of(
                service("local", "LoadBalancer", "198.18.100.40", port("http", 80, "TCP", Backends.HTTP_PORT, NODE_PORT))
                        .editSpec().withExternalTrafficPolicy("Local").withHealthCheckNodePort(HEALTH_CHECK_NODE_PORT)
                        .endSpec().build(),
                slice("local", pods.stream().filter(pod -> pod.node().equals("node-a")).toList(),
                        endpointPort("http", Backends.HTTP_PORT, "TCP")));
    }

    @Test
    void aNodeWithLocalEndpointsPreservesTheClientAddress() {
        for (int i = 0; i < 20; i++) {
            Answer answer = Answer.parse(lab.client().http(NODE_A, NODE_PORT));
            assertThat(answer.pod()).startsWith("web-a");
            assertThat(answer.client()).isEqualTo(LabTopology.CLIENT_ADDRESS);
        }
    }

    @Test
    void aNodeWithoutLocalEndpointsDrops() {
        Throwable thrown = Failures.thrownBy(() -> lab.client().namespace().run(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(NODE_B, NODE_PORT), 1500);
            }
        }));
        assertThat(thrown).as("a drop, not a refusal").isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void theHealthCheckNodePortAnswersOkOnlyWhereEndpointsAreLocal() {
        assertThat(healthCheck(NODE_A)).startsWith("HTTP/1.1 200");
        assertThat(healthCheck(NODE_B)).startsWith("HTTP/1.1 503");
    }

    private String healthCheck(String node) {
        return lab.client().namespace().call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(node, HEALTH_CHECK_NODE_PORT), 3000);
                socket.setSoTimeout(3000);
                socket.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: " + node + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
        });
    }
}
