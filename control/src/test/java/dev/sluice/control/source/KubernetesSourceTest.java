package dev.sluice.control.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.model.DesiredState;
import dev.sluice.control.model.IpFamily;
import dev.sluice.control.model.KubernetesLabels;
import dev.sluice.control.model.NodeContexts;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.control.model.ServicePort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesSourceTest {

    KubernetesClient client;
    private KubernetesSource source;

    @AfterEach
    void closeSource() {
        if (source != null) {
            source.close();
        }
    }

    private static Service service(String name, String clusterIp) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace("ns").withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp).withClusterIPs(clusterIp).withIpFamilies("IPv4")
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort()
                .endSpec().build();
    }

    private static EndpointSlice slice(String service, String... addresses) {
        EndpointSliceBuilder builder = new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("ns").withName(service + "-1")
                .withLabels(Map.of(KubernetesLabels.SERVICE_NAME, service)).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
        for (String address : addresses) {
            builder.addNewEndpoint().withAddresses(address).withNodeName("node-a")
                    .withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        return builder.build();
    }

    private static Node node() {
        return new NodeBuilder().withNewMetadata().withName("node-a").addToLabels(KubernetesLabels.TOPOLOGY_ZONE, "zone-a").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("192.168.0.10").endAddress().endStatus().build();
    }

    private static DesiredState compute(ClusterSnapshot snapshot) {
        return ProxySemantics.compute(snapshot.services(), snapshot.slices(), NodeContexts.of("node-a", snapshot.node(), "sluice"));
    }

    private SnapshotRecorder start(Duration quiet) {
        SnapshotRecorder recorder = new SnapshotRecorder();
        source = new KubernetesSource(client, "node-a", quiet);
        source.start(recorder);
        return recorder;
    }

    @Test
    void firstSnapshotHasEverythingThenFollowsChanges() {
        client.resource(service("web", "10.96.0.10")).create();
        client.resource(slice("web", "10.0.0.1")).create();
        client.resource(node()).create();
        client.resource(new NodeBuilder(node()).editMetadata().withName("node-b").endMetadata().build()).create();

        SnapshotRecorder recorder = start(Duration.ofMillis(50));
        ClusterSnapshot first = recorder.await("the initial objects", s -> s.services().size() == 1);
        assertThat(first.slices()).hasSize(1);
        assertThat(first.node().getMetadata().getName()).isEqualTo("node-a");
        assertThat(first.problems()).isEmpty();
        ServicePort web = compute(first).port("ns", "web", "http", IpFamily.IPV4).orElseThrow();
        assertThat(web.clusterEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.port()).isEqualTo(8080);
            assertThat(e.local()).isTrue();
        });

        client.resource(slice("web", "10.0.0.1", "10.0.0.2")).update();
        ClusterSnapshot updated = recorder.await("two endpoints",
                s -> compute(s).port("ns", "web", "http", IpFamily.IPV4).map(p -> p.endpoints().size() == 2).orElse(false));
        assertThat(updated.services()).hasSize(1);

        client.resource(service("api", "10.96.0.11")).create();
        recorder.await("two services", s -> s.services().size() == 2);

        client.resource(service("web", "10.96.0.10")).delete();
        ClusterSnapshot deleted = recorder.await("web deleted", s -> s.services().size() == 1);
        DesiredState state = compute(deleted);
        assertThat(state.port("ns", "web", "http", IpFamily.IPV4)).isEmpty();
        assertThat(state.port("ns", "api", "http", IpFamily.IPV4)).isPresent();
        assertThat(recorder.overlapped).isFalse();
    }

    @Test
    void emptyClusterStillGetsAFirstSnapshot() {
        SnapshotRecorder recorder = start(Duration.ofMillis(20));
        ClusterSnapshot first = recorder.await("an empty snapshot", s -> s.services().isEmpty());
        assertThat(first.node()).isNull();
    }

    @Test
    void nodeChangesAreFollowed() {
        SnapshotRecorder recorder = start(Duration.ofMillis(20));
        recorder.await("no node", s -> s.node() == null);
        client.resource(node()).create();
        ClusterSnapshot withNode = recorder.await("the node", s -> s.node() != null);
        assertThat(NodeContexts.of("node-a", withNode.node(), "sluice").zone()).isEqualTo("zone-a");
    }

    @Test
    void headlessLabelledObjectsAreNotWatched() {
        client.resource(new ServiceBuilder(service("headless", "10.96.0.12"))
                .editMetadata().addToLabels(KubernetesLabels.HEADLESS, "").endMetadata().build()).create();
        client.resource(service("web", "10.96.0.10")).create();
        SnapshotRecorder recorder = start(Duration.ofMillis(20));
        ClusterSnapshot first = recorder.await("one service", s -> s.services().size() == 1);
        assertThat(first.services().getFirst().getMetadata().getName()).isEqualTo("web");
    }

    @Test
    void aBurstOfChangesIsCoalesced() {
        SnapshotRecorder recorder = start(Duration.ofMillis(300));
        recorder.await("the first snapshot", s -> true);
        int before = recorder.count();
        for (int i = 0; i < 30; i++) {
            client.resource(service("svc-" + i, "10.96.1." + i)).create();
            client.resource(slice("svc-" + i, "10.0.1." + i)).create();
        }
        ClusterSnapshot last = recorder.await("all 30 services", s -> s.services().size() == 30 && s.slices().size() == 30);
        assertThat(compute(last).ports()).hasSize(30);
        assertThat(recorder.count() - before).as("callbacks for 60 events").isLessThan(10);
        assertThat(recorder.overlapped).isFalse();
    }
}
