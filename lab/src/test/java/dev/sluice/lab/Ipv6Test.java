package dev.sluice.lab;

import static dev.sluice.lab.Manifest.endpointPort;
import static dev.sluice.lab.Manifest.port;
import static dev.sluice.lab.Manifest.service;
import static dev.sluice.lab.Manifest.slice;
import static dev.sluice.lab.Manifest.slice6;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** sig-network's IPv6 and dual-stack service scenarios: ClusterIP and NodePort over IPv6, IPv4 alongside. */
class Ipv6Test extends LabTest {
    private static final String CLUSTER_IP6 = "2001:db8:100::10";
    private static final int NODE_PORT6 = 30160;
    private static final int NODE_PORT4 = 30161;
    private static final int REQUESTS = 40;

    @Override
    protected List<HasMetadata> manifest(List<Pod> pods) {
        return List.of(
                service("web6", "NodePort", CLUSTER_IP6, port("http", 80, "TCP", Backends.HTTP_PORT, NODE_PORT6))
                        .editSpec().withIpFamilies("IPv6").withIpFamilyPolicy("SingleStack").endSpec().build(),
                slice6("web6", pods, endpointPort("http", Backends.HTTP_PORT, "TCP")),
                service("web4", "NodePort", "198.18.100.90", port("http", 80, "TCP", Backends.HTTP_PORT, NODE_PORT4)).build(),
                slice("web4", pods, endpointPort("http", Backends.HTTP_PORT, "TCP")));
    }

    @Test
    void aPodReachesEveryBackendThroughAnIpv6ClusterIp() {
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < REQUESTS; i++) {
            Answer answer = Answer.parse(lab.podClient(lab.pods().getLast()).http(CLUSTER_IP6, 80));
            assertThat(inet(answer.client())).isInstanceOf(Inet6Address.class);
            reached.add(answer.pod());
        }
        assertThat(reached).hasSize(lab.pods().size());
    }

    @Test
    void ipv6NodePortsSnatOnlyForRemoteBackends() {
        for (String node : List.of("node-a", "node-b")) {
            String nodeAddress = LabTopology.NODE_ADDRESSES6.get(node);
            Map<String, InetAddress> clientSeenByPod = new HashMap<>();
            for (int i = 0; i < REQUESTS; i++) {
                Answer answer = Answer.parse(lab.client().http(nodeAddress, NODE_PORT6));
                clientSeenByPod.put(answer.pod(), inet(answer.client()));
            }
            Map<String, InetAddress> expected = new HashMap<>();
            for (Pod pod : lab.pods()) {
                expected.put(pod.name(), inet(pod.node().equals(node) ? LabTopology.CLIENT_ADDRESS6 : nodeAddress));
            }
            assertThat(clientSeenByPod).as("pod -> client address it saw, through %s", node).isEqualTo(expected);
        }
    }

    @Test
    void ipv4KeepsWorkingBesideIpv6() {
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < REQUESTS; i++) {
            reached.add(Answer.parse(lab.client().http(LabTopology.NODE_ADDRESSES.get("node-b"), NODE_PORT4)).pod());
        }
        assertThat(reached).hasSize(lab.pods().size());
    }

    private static InetAddress inet(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
