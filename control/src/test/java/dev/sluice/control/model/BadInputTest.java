package dev.sluice.control.model;

import static dev.sluice.control.model.Fixtures.compute;
import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.port;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BadInputTest {

    private static final Service GOOD = simple("good", "10.96.0.1");
    private static final EndpointSlice GOOD_SLICE = slice("good", ready("10.0.0.1", null));

    /** Computes with a healthy neighbour service and checks the neighbour is untouched. */
    private static DesiredState withNeighbour(Service bad, EndpointSlice... badSlices) {
        List<EndpointSlice> slices = new ArrayList<>(List.of(badSlices));
        slices.add(GOOD_SLICE);
        DesiredState state = compute(List.of(bad, GOOD), slices);
        ServicePort good = state.port("ns", "good", "http", IpFamily.IPV4).orElseThrow();
        assertThat(Fixtures.addresses(good.clusterEndpoints())).containsExactly("10.0.0.1");
        return state;
    }

    private static List<String> portNames(DesiredState state, String service) {
        return state.ports().keySet().stream().filter(k -> k.name().name().equals(service)).map(k -> k.name().port()).toList();
    }

    @Test
    void portZeroAnd65536AreDroppedWithErrors() {
        Service bad = service("bad", "10.96.0.2").editSpec()
                .withPorts(port("zero", 0, "TCP"), port("big", 65536, "TCP"), port("ok", 443, "TCP")).endSpec().build();
        DesiredState state = withNeighbour(bad);
        assertThat(portNames(state, "bad")).containsExactly("ok");
        assertThat(state.errors()).extracting(ValidationError::field).containsExactly("spec.ports[0].port", "spec.ports[1].port");
        assertThat(state.errors().getFirst().object()).isEqualTo("Service ns/bad");
        assertThat(state.errors().getFirst().toString()).isEqualTo("Service ns/bad: spec.ports[0].port: must be between 1 and 65535, got 0; port ignored");
    }

    @Test
    void unknownProtocolDropsThePort() {
        Service bad = service("bad", "10.96.0.2").editSpec()
                .withPorts(port("icmp", 1, "ICMP"), port("lower", 2, "tcp"), port("ok", 443, "TCP")).endSpec().build();
        DesiredState state = withNeighbour(bad);
        assertThat(portNames(state, "bad")).containsExactly("ok");
        assertThat(state.errors()).extracting(ValidationError::field).containsExactly("spec.ports[0].protocol", "spec.ports[1].protocol");
    }

    @Test
    void duplicatePortProtocolAndDuplicateNamesKeepTheFirst() {
        Service bad = service("bad", "10.96.0.2").editSpec().withPorts(
                port("a", 80, "TCP"), port("b", 80, "TCP"), port("c", 80, "UDP"), port("a", 81, "TCP")).endSpec().build();
        DesiredState state = withNeighbour(bad);
        assertThat(portNames(state, "bad")).containsExactly("a", "c");
        assertThat(state.port("ns", "bad", "a", IpFamily.IPV4).orElseThrow().frontends().getFirst().port()).isEqualTo(80);
        assertThat(state.errors()).extracting(ValidationError::field).containsExactly("spec.ports[1].port", "spec.ports[3].name");
    }

    @Test
    void nodePortOutOfRangeDropsThePort() {
        Service bad = service("bad", "10.96.0.2").editSpec().withType("NodePort")
                .withPorts(nodePort("http", 80, "TCP", 70000), nodePort("ok", 81, "TCP", 30081)).endSpec().build();
        DesiredState state = withNeighbour(bad);
        assertThat(portNames(state, "bad")).containsExactly("ok");
        assertThat(state.errors()).extracting(ValidationError::field).containsExactly("spec.ports[0].nodePort");
    }

    @Test
    void invalidClusterIpSkipsTheService() {
        for (String ip : List.of("10.96.0.256", "10.96.0", "example.com", "1.2.3.4.5", "fd00::1::2", "[fd00::1]", "fe80::1%eth0")) {
            DesiredState state = withNeighbour(service("bad", ip).build());
            assertThat(portNames(state, "bad")).as(ip).isEmpty();
            assertThat(state.errors()).as(ip).extracting(ValidationError::field).containsExactly("spec.clusterIPs[0]");
        }
    }

    @Test
    void clusterIpOfTheWrongFamilySkipsTheService() {
        Service bad = service("bad", "10.96.0.2").editSpec().withIpFamilies("IPv6").endSpec().build();
        DesiredState state = withNeighbour(bad);
        assertThat(portNames(state, "bad")).isEmpty();
        assertThat(state.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("service skipped"));
    }

    @Test
    void invalidExternalAndIngressIpsAreDroppedAlone() {
        Service bad = service("bad", "10.96.0.2").editSpec().withType("LoadBalancer")
                .withPorts(nodePort("http", 80, "TCP", 30080)).withExternalIPs("not-an-ip", "198.51.100.1").endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("300.1.1.1").endIngress().endLoadBalancer().endStatus()
                .build();
        DesiredState state = withNeighbour(bad);
        ServicePort port = state.port("ns", "bad", "http", IpFamily.IPV4).orElseThrow();
        assertThat(port.frontends(FrontendKind.EXTERNAL_IP)).hasSize(1);
        assertThat(port.frontends(FrontendKind.LOAD_BALANCER)).isEmpty();
        assertThat(state.errors()).extracting(ValidationError::field).containsExactly("spec.externalIPs[0]", "status.loadBalancer.ingress[0].ip");
    }

    @Test
    void invalidSourceRangeSkipsTheServiceRatherThanOpeningIt() {
        Service bad = service("bad", "10.96.0.2").editSpec().withType("LoadBalancer").withPorts(nodePort("http", 80, "TCP", 30080))
                .withLoadBalancerSourceRanges("10.0.0.0/8", "10.0.0.0/33").endSpec().build();
        DesiredState state = withNeighbour(bad);
        assertThat(portNames(state, "bad")).isEmpty();
        assertThat(state.errors()).extracting(ValidationError::field).containsExactly("spec.loadBalancerSourceRanges[1]");
    }

    @Test
    void unknownEnumsAndBadAffinitySkipTheService() {
        List<Service> bads = List.of(
                service("bad", "10.96.0.2").editSpec().withType("Weird").endSpec().build(),
                service("bad", "10.96.0.2").editSpec().withExternalTrafficPolicy("Global").endSpec().build(),
                service("bad", "10.96.0.2").editSpec().withInternalTrafficPolicy("Nearby").endSpec().build(),
                service("bad", "10.96.0.2").editSpec().withSessionAffinity("Cookie").endSpec().build(),
                service("bad", "10.96.0.2").editSpec().withSessionAffinity("ClientIP").withNewSessionAffinityConfig()
                        .withNewClientIP().withTimeoutSeconds(0).endClientIP().endSessionAffinityConfig().endSpec().build());
        for (Service bad : bads) {
            DesiredState state = withNeighbour(bad);
            assertThat(portNames(state, "bad")).isEmpty();
            assertThat(state.errors()).hasSize(1);
        }
    }

    @Test
    void serviceWithoutMetadataOrSpecIsReportedNotThrown() {
        DesiredState state = withNeighbour(new ServiceBuilder().build());
        assertThat(state.errors()).hasSize(1);
        DesiredState nullSpec = withNeighbour(new ServiceBuilder().withNewMetadata().withName("x").endMetadata().build());
        assertThat(nullSpec.errors()).hasSize(1);
    }

    @Test
    void badEndpointsAreDroppedAloneAndNamed() {
        Service bad = simple("bad", "10.96.0.2");
        EndpointSlice slice = slice("bad-1", "bad", "IPv4",
                ready("10.0.0.300", null),
                ready("fd00::1", null),
                new EndpointBuilder().build(),
                ready("10.0.0.5", null)).build();
        DesiredState state = withNeighbour(bad, slice);
        assertThat(Fixtures.addresses(state.port("ns", "bad", "http", IpFamily.IPV4).orElseThrow().endpoints())).containsExactly("10.0.0.5");
        assertThat(state.errors()).extracting(ValidationError::object).containsOnly("EndpointSlice ns/bad-1");
        assertThat(state.errors()).extracting(ValidationError::field)
                .containsExactly("endpoints[0].addresses[0]", "endpoints[1].addresses[0]", "endpoints[2].addresses");
    }

    @Test
    void badSlicePortsUnlabelledSlicesAndBadTriggerTimesAreReported() {
        Service bad = simple("bad", "10.96.0.2");
        EndpointSlice badPorts = slice("bad-1", "bad", "IPv4", ready("10.0.0.5", null))
                .withPorts(
                        new EndpointPortBuilder().withName("http").withPort(0).build(),
                        new EndpointPortBuilder().withName("http").withPort(8080).withProtocol("QUIC").build())
                .editMetadata().addToAnnotations(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME, "yesterday").endMetadata()
                .build();
        EndpointSlice unlabelled = new EndpointSliceBuilder(slice("bad-2", "bad", "IPv4", ready("10.0.0.6", null)).build())
                .editMetadata().withLabels(Map.of()).endMetadata().build();
        DesiredState state = withNeighbour(bad, badPorts, unlabelled);
        assertThat(state.port("ns", "bad", "http", IpFamily.IPV4).orElseThrow().endpoints()).isEmpty();
        assertThat(state.errors()).extracting(ValidationError::field).containsExactlyInAnyOrder(
                "ports[0].port", "ports[1].protocol",
                "metadata.annotations[endpoints.kubernetes.io/last-change-trigger-time]",
                "metadata.labels[kubernetes.io/service-name]");
    }

    @Test
    void nullsInsideListsDoNotThrow() {
        Service svc = service("bad", "10.96.0.2").build();
        svc.getSpec().getPorts().add(null);
        EndpointSlice slice = slice("bad-1", "bad", "IPv4", ready("10.0.0.5", null)).build();
        slice.getEndpoints().add(null);
        slice.getPorts().add(null);
        List<Service> services = new ArrayList<>(List.of(svc, GOOD));
        services.add(null);
        DesiredState state = compute(services, List.of(slice, GOOD_SLICE));
        assertThat(state.port("ns", "good", "http", IpFamily.IPV4)).isPresent();
        assertThat(state.port("ns", "bad", "http", IpFamily.IPV4).orElseThrow().endpoints()).hasSize(1);
    }

    @Test
    void duplicateServiceObjectKeepsTheFirst() {
        DesiredState state = compute(List.of(simple("good", "10.96.0.1"), simple("good", "10.96.0.99")), List.of());
        assertThat(state.ports()).hasSize(1);
        assertThat(state.errors()).hasSize(1);
    }

    @Test
    void tenThousandEndpointsAreFastAndLeaveOthersIntact() {
        Service big = service("big", "10.96.0.50").editSpec()
                .withPorts(port("http", 80, "TCP"), port("https", 443, "TCP")).endSpec().build();
        List<EndpointSlice> slices = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            List<Endpoint> endpoints = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int n = s * 1000 + i;
                endpoints.add(ready("10.1." + (n / 256) + "." + (n % 256), n % 7 == 0 ? "node-a" : "node-b"));
            }
            slices.add(slice("big-" + s, "big", "IPv4").withEndpoints(endpoints).withPorts(
                    new EndpointPortBuilder().withName("http").withPort(8080).withProtocol("TCP").build(),
                    new EndpointPortBuilder().withName("https").withPort(8443).withProtocol("TCP").build()).build());
        }
        slices.add(GOOD_SLICE);
        List<Service> services = List.of(big, GOOD, service("bad", "10.96.0.3").editSpec().withPorts(port("x", 0, "TCP")).endSpec().build());

        ProxySemantics.compute(services, slices, Fixtures.NODE); // warm-up
        long start = System.nanoTime();
        DesiredState state = ProxySemantics.compute(services, slices, Fixtures.NODE);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(millis).as("compute time in ms").isLessThan(2000);
        ServicePort http = state.port("ns", "big", "http", IpFamily.IPV4).orElseThrow();
        assertThat(http.endpoints()).hasSize(10_000);
        assertThat(http.clusterEndpoints()).hasSize(10_000);
        assertThat(http.endpoints().getFirst().address()).isEqualTo(Fixtures.ip("10.1.0.0"));
        assertThat(http.endpoints().getLast().address()).isEqualTo(Fixtures.ip("10.1.39.15"));
        assertThat(state.port("ns", "big", "https", IpFamily.IPV4).orElseThrow().endpoints()).hasSize(10_000);
        assertThat(state.port("ns", "good", "http", IpFamily.IPV4).orElseThrow().clusterEndpoints()).hasSize(1);
        assertThat(state.errors()).singleElement().satisfies(e -> assertThat(e.object()).isEqualTo("Service ns/bad"));
    }
}
