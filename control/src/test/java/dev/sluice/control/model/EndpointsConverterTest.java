package dev.sluice.control.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointsConverterTest {

    private static Endpoints legacy() {
        return new EndpointsBuilder()
                .withNewMetadata().withNamespace("ns").withName("web")
                .addToAnnotations(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME, "2026-01-02T03:04:05Z").endMetadata()
                .addNewSubset()
                .addNewAddress().withIp("10.0.0.1").withNodeName("node-a").endAddress()
                .addNewAddress().withIp("fd00::1").withNodeName("node-b").endAddress()
                .addNewNotReadyAddress().withIp("10.0.0.2").withNodeName("node-b").endNotReadyAddress()
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .endSubset()
                .build();
    }

    @Test
    void convertsSubsetsToSlicesPerFamily() {
        List<EndpointSlice> slices = EndpointsConverter.toSlices(legacy());
        assertThat(slices).extracting(EndpointSlice::getAddressType).containsExactly("IPv4", "IPv6");
        EndpointSlice v4 = slices.getFirst();
        assertThat(v4.getMetadata().getLabels()).containsEntry(KubernetesLabels.SERVICE_NAME, "web");
        assertThat(v4.getMetadata().getNamespace()).isEqualTo("ns");
        assertThat(v4.getEndpoints()).extracting(e -> e.getAddresses().getFirst(), e -> e.getConditions().getReady(), e -> e.getNodeName())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("10.0.0.1", true, "node-a"),
                        org.assertj.core.groups.Tuple.tuple("10.0.0.2", false, "node-b"));
        assertThat(v4.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
    }

    @Test
    void convertedSlicesComputeLikeNativeOnes() {
        var svc = Fixtures.service("web", "10.96.0.10").editSpec()
                .withClusterIPs("10.96.0.10", "fd00:96::10").withIpFamilies("IPv4", "IPv6").endSpec().build();
        DesiredState state = Fixtures.compute(List.of(svc), new ArrayList<>(EndpointsConverter.toSlices(legacy())));
        assertThat(state.errors()).isEmpty();
        ServicePort v4 = state.port("ns", "web", "http", IpFamily.IPV4).orElseThrow();
        assertThat(Fixtures.addresses(v4.endpoints())).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(Fixtures.addresses(v4.clusterEndpoints())).containsExactly("10.0.0.1");
        assertThat(v4.endpoints().getFirst().local()).isTrue();
        assertThat(v4.lastChangeTriggerTime()).isNotNull();
        assertThat(state.port("ns", "web", "http", IpFamily.IPV6).orElseThrow().endpoints()).hasSize(1);
    }

    @Test
    void nodeContextFromNode() {
        var node = new io.fabric8.kubernetes.api.model.NodeBuilder()
                .withNewMetadata().withName("node-a").addToLabels(KubernetesLabels.TOPOLOGY_ZONE, "zone-a").endMetadata()
                .withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("192.168.0.10").endAddress()
                .addNewAddress().withType("InternalIP").withAddress("fd00::10").endAddress()
                .addNewAddress().withType("ExternalIP").withAddress("203.0.113.10").endAddress()
                .addNewAddress().withType("Hostname").withAddress("node-a").endAddress()
                .endStatus().build();
        NodeContext context = NodeContexts.of("node-a", node, "sluice");
        assertThat(context.zone()).isEqualTo("zone-a");
        assertThat(context.nodeAddresses()).containsExactly(Fixtures.ip("192.168.0.10"), Fixtures.ip("fd00::10"));
        assertThat(NodeContexts.of("node-a", null, "sluice").nodeAddresses()).isEmpty();
    }
}
