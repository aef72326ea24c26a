package dev.sluice.lab;

import static dev.sluice.lab.Manifest.endpointPort;
import static dev.sluice.lab.Manifest.port;
import static dev.sluice.lab.Manifest.service;
import static dev.sluice.lab.Manifest.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * sig-network "should be able to create a functioning NodePort service", source address
 * preservation for local backends, consistent backends across nodes, and services without
 * endpoints rejecting.
 */
class NodePortTest extends LabTest {
    private static final int WEB_NODE_PORT = 30080;
    private static final int EMPTY_TCP_NODE_PORT = 30090;
    private static final int EMPTY_UDP_NODE_PORT = 30091;
    private static final int REQUESTS = 40;
    private static final String CLIENT = LabTopology.CLIENT_ADDRESS;

    @Override
    protected List<HasMetadata> manifest(List<Pod> pods) {
        return List.of(
                service("web", "NodePort", "198.18.100.30", port("http", 80, "TCP", Backends.HTTP_PORT, WEB_NODE_PORT)).build(),
                slice("web", pods, endpointPort("http", Backends.HTTP_PORT, "TCP")),
                service("empty", "NodePort", "198.18.100.31",
                        port("http", 80, "TCP", Backends.HTTP_PORT, EMPTY_TCP_NODE_PORT),
                        port("dns", 53, "UDP", Backends.UDP_PORT, EMPTY_UDP_NODE_PORT)).build());
    }

    @Test
    void remoteBackendsSeeTheNodeAndLocalBackendsTheClient() {
        for (String node : List.of("node-a", "node-b")) {
            String nodeAddress = LabTopology.NODE_ADDRESSES.get(node);
            Map<String, String> clientSeenByPod = new HashMap<>();
            for (int i = 0; i < REQUESTS; i++) {
                Answer answer = Answer.parse(lab.client().http(nodeAddress, WEB_NODE_PORT));
                clientSeenByPod.put(answer.pod(), answer.client());
            }
            Map<String, String> expected = new HashMap<>();
            for (Pod pod : lab.pods()) {
                expected.put(pod.name(), pod.node().equals(node) ? CLIENT : nodeAddress);
            }
            assertThat(clientSeenByPod).as("pod -> client address it saw, through %s", node).isEqualTo(expected);
        }
    }

    @Test
    void theSameFlowReachesTheSameBackendThroughEitherNode() {
        Map<String, Integer> pods = new HashMap<>();
        for (int sourcePort = 40001; sourcePort <= 40016; sourcePort++) {
            InetSocketAddress local = new InetSocketAddress(CLIENT, sourcePort);
            String throughA = Answer.parse(lab.client().http(LabTopology.NODE_ADDRESSES.get("node-a"), WEB_NODE_PORT, local)).pod();
            String throughB = Answer.parse(lab.client().http(LabTopology.NODE_ADDRESSES.get("node-b"), WEB_NODE_PORT, local)).pod();
            assertThat(throughB).as("backend of %s through node-b (node-a chose %s)", local, throughA).isEqualTo(throughA);
            pods.merge(throughA, 1, Integer::sum);
        }
        // Agreement on a single backend would prove nothing about the hash.
        assertThat(pods).hasSizeGreaterThan(1);
    }

    @Test
    void tcpToAServiceWithoutEndpointsIsRefusedAtOnce() {
        for (String node : List.of("node-a", "node-b")) {
            long started = System.nanoTime();
            Throwable thrown = Failures.thrownBy(() -> lab.client().namespace().run(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(LabTopology.NODE_ADDRESSES.get(node), EMPTY_TCP_NODE_PORT), 3000);
                }
            }));
            assertThat(thrown).as("through %s", node).isInstanceOf(ConnectException.class)
                    .hasMessageContaining("refused");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void udpToAServiceWithoutEndpointsGetsPortUnreachable() {
        for (String node : List.of("node-a", "node-b")) {
            Throwable thrown = Failures.thrownBy(() -> lab.client().namespace().run(() -> {
                try (DatagramSocket socket = new DatagramSocket()) {
                    socket.connect(new InetSocketAddress(LabTopology.NODE_ADDRESSES.get(node), EMPTY_UDP_NODE_PORT));
                    socket.setSoTimeout(3000);
                    byte[] request = {'h', 'i'};
                    socket.send(new DatagramPacket(request, request.length));
                    socket.receive(new DatagramPacket(new byte[64], 64));
                }
            }));
            assertThat(thrown).as("through %s", node).isInstanceOf(PortUnreachableException.class);
        }
    }
}
