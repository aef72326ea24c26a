package dev.sluice.lab;

import static dev.sluice.lab.Manifest.endpointPort;
import static dev.sluice.lab.Manifest.port;
import static dev.sluice.lab.Manifest.service;
import static dev.sluice.lab.Manifest.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** sig-network "should serve a basic endpoint from pods", "should serve multiport endpoints from pods", and hairpin. */
class ClusterIpTest extends LabTest {
    private static final String WEB_IP = "198.18.100.20";
    private static final String MULTI_IP = "198.18.100.21";
    private static final String SELF_IP = "198.18.100.22";
    private static final int REQUESTS = 40;

    @Override
    protected List<HasMetadata> manifest(List<Pod> pods) {
        return List.of(
                service("web", "ClusterIP", WEB_IP, port("http", 80, "TCP", Backends.HTTP_PORT, 0)).build(),
                slice("web", pods, endpointPort("http", Backends.HTTP_PORT, "TCP")),
                service("multi", "ClusterIP", MULTI_IP, port("http", 80, "TCP", Backends.HTTP_PORT, 0),
                        port("alt", 81, "TCP", Backends.ALT_HTTP_PORT, 0)).build(),
                slice("multi", pods, endpointPort("http", Backends.HTTP_PORT, "TCP"),
                        endpointPort("alt", Backends.ALT_HTTP_PORT, "TCP")),
                service("self", "ClusterIP", SELF_IP, port("http", 80, "TCP", Backends.HTTP_PORT, 0)).build(),
                slice("self", List.of(pods.getFirst()), endpointPort("http", Backends.HTTP_PORT, "TCP")));
    }

    @Test
    void requestsFromAPodReachEveryBackend() {
        Pod from = lab.pods().getLast();
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < REQUESTS; i++) {
            Answer answer = Answer.parse(lab.podClient(from).http(WEB_IP, 80));
            assertThat(answer.port()).isEqualTo(Backends.HTTP_PORT);
            reached.add(answer.pod());
        }
        assertThat(reached).containsExactlyInAnyOrderElementsOf(lab.pods().stream().map(Pod::name).toList());
    }

    @Test
    void eachPortOfAMultiportServiceReachesItsTargetPort() {
        Pod from = lab.pods().getFirst();
        for (int i = 0; i < 10; i++) {
            assertThat(Answer.parse(lab.podClient(from).http(MULTI_IP, 80)).port()).isEqualTo(Backends.HTTP_PORT);
            assertThat(Answer.parse(lab.podClient(from).http(MULTI_IP, 81)).port()).isEqualTo(Backends.ALT_HTTP_PORT);
        }
    }

    @Test
    void aPodReachesItselfThroughItsClusterIp() {
        Pod self = lab.pods().getFirst();
        for (int i = 0; i < 5; i++) {
            assertThat(Answer.parse(lab.podClient(self).http(SELF_IP, 80)).pod()).isEqualTo(self.name());
        }
    }
}
