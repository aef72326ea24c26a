package dev.sluice.lab;

import static dev.sluice.lab.Manifest.endpointPort;
import static dev.sluice.lab.Manifest.port;
import static dev.sluice.lab.Manifest.service;
import static dev.sluice.lab.Manifest.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.testing.KernelTest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Endpoints changing under a running service: scale down, and terminating endpoints as the last resort. */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointChangesTest {
    private static final String CLUSTER_IP = "198.18.100.60";
    private static final int NODE_PORT = 30120;
    private static final String NODE_A = LabTopology.NODE_ADDRESSES.get("node-a");

    private Lab lab;

    @BeforeAll
    void start() {
        lab = Lab.start(2, pods -> manifest(pods, Manifest.Condition.READY));
    }

    @AfterEach
    void restore() {
        lab.apply(manifest(lab.pods(), Manifest.Condition.READY));
    }

    @AfterAll
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    private static List<HasMetadata> manifest(List<Pod> pods, Manifest.Condition condition) {
        return List.of(
                service("web", "NodePort", CLUSTER_IP, port("http", 80, "TCP", Backends.HTTP_PORT, NODE_PORT)).build(),
                Manifest.slice("web", pods, condition, endpointPort("http", Backends.HTTP_PORT, "TCP")));
    }

    @Test
    void scalingDownKeepsOpenConnectionsAndStopsNewOnesToTheRemovedPod() {
        try (KeepAliveConnection kept = KeepAliveConnection.open(lab.client().namespace(), NODE_A, NODE_PORT)) {
            String stays = Answer.parse(kept.get()).pod();
            // A remote pod, so the removal matters to the node translating the connection too.
            Pod removed = lab.pods().stream().filter(pod -> !pod.name().equals(stays) && pod.node().equals("node-b"))
                    .findFirst().orElseThrow();
            lab.apply(manifest(lab.pods().stream().filter(pod -> pod != removed).toList(), Manifest.Condition.READY));

            for (int i = 0; i < 5; i++) {
                assertThat(Answer.parse(kept.get()).pod()).as("the kept connection's backend").isEqualTo(stays);
            }
            Set<String> reached = new HashSet<>();
            for (int i = 0; i < 40; i++) {
                reached.add(Answer.parse(lab.client().http(NODE_A, NODE_PORT)).pod());
                reached.add(Answer.parse(lab.podClient(lab.pods().getFirst()).http(CLUSTER_IP, 80)).pod());
            }
            assertThat(reached).doesNotContain(removed.name()).hasSize(lab.pods().size() - 1);
        }
    }

    @Test
    void newConnectionsUseServingTerminatingEndpointsWhenNoneIsReady() {
        lab.apply(manifest(lab.pods(), Manifest.Condition.TERMINATING));
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            reached.add(Answer.parse(lab.client().http(NODE_A, NODE_PORT)).pod());
            reached.add(Answer.parse(lab.podClient(lab.pods().getLast()).http(CLUSTER_IP, 80)).pod());
        }
        assertThat(reached).hasSize(lab.pods().size());
    }
}
