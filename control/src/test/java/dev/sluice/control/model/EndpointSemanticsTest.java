package dev.sluice.control.model;

import static dev.sluice.control.model.Fixtures.addresses;
import static dev.sluice.control.model.Fixtures.compute;
import static dev.sluice.control.model.Fixtures.endpoint;
import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointSemanticsTest {

    private static ServicePort web(List<EndpointSlice> slices) {
        return web(simple("web", "10.96.0.10"), slices);
    }

    private static ServicePort web(Service service, List<EndpointSlice> slices) {
        DesiredState state = compute(List.of(service), slices);
        assertThat(state.errors()).isEmpty();
        return state.port("ns", "web", "http", IpFamily.IPV4).orElseThrow();
    }

    private static Endpoint hinted(String address, String nodeName, String zone, String forZone, String forNode) {
        EndpointBuilder builder = new EndpointBuilder(ready(address, nodeName)).withZone(zone);
        if (forZone != null || forNode != null) {
            builder.withNewHints();
            if (forZone != null) {
                builder.editHints().addNewForZone(forZone).endHints();
            }
            if (forNode != null) {
                builder.editHints().addNewForNode(forNode).endHints();
            }
        }
        return builder.build();
    }

    @Test
    void endpointCarriesTargetPortNodeZoneAndLocality() {
        Endpoint withZone = new EndpointBuilder(ready("10.0.0.2", "node-a")).withZone("zone-a").build();
        ServicePort port = web(List.of(slice("web", ready("10.0.0.1", "node-b"), withZone)));

        assertThat(port.endpoints()).containsExactly(
                new dev.sluice.control.model.Endpoint(Fixtures.ip("10.0.0.1"), 8080, true, true, false, "node-b", null, false),
                new dev.sluice.control.model.Endpoint(Fixtures.ip("10.0.0.2"), 8080, true, true, false, "node-a", "zone-a", true));
        assertThat(port.clusterEndpoints()).isEqualTo(port.endpoints());
        assertThat(port.localEndpoints()).isEmpty(); // no policy is Local
    }

    @Test
    void slicesOfAServiceAreMergedAndSorted() {
        ServicePort port = web(List.of(
                slice("web-2", "web", "IPv4", ready("10.0.0.30", null)).build(),
                slice("web-1", "web", "IPv4", ready("10.0.0.4", null), ready("10.0.0.100", null)).build(),
                slice("other-1", "other", "IPv4", ready("10.0.0.9", null)).build()));
        assertThat(addresses(port.endpoints())).containsExactly("10.0.0.4", "10.0.0.30", "10.0.0.100");
    }

    @Test
    void duplicateAddressKeepsFirstUnlessALaterOneIsNotTerminating() {
        // The same IP in two slices: a terminating old pod and a ready new pod reusing its IP.
        EndpointSlice oldPod = slice("web-1", "web", "IPv4", endpoint("10.0.0.1", "node-b", false, true, true)).build();
        EndpointSlice newPod = slice("web-2", "web", "IPv4", ready("10.0.0.1", "node-c")).build();
        assertThat(web(List.of(oldPod, newPod)).endpoints()).singleElement()
                .satisfies(e -> assertThat(e.nodeName()).isEqualTo("node-c"));

        // Reversed order: the ready one came first and a terminating copy must not replace it.
        EndpointSlice first = slice("web-1", "web", "IPv4", ready("10.0.0.1", "node-c")).build();
        EndpointSlice second = slice("web-2", "web", "IPv4", endpoint("10.0.0.1", "node-b", false, true, true)).build();
        assertThat(web(List.of(second, first)).endpoints()).singleElement()
                .satisfies(e -> assertThat(e.ready()).isTrue());
    }

    @Test
    void portsMatchByNameAndProtocol() {
        Service svc = service("web", "10.96.0.10").editSpec()
                .withPorts(Fixtures.port("http", 80, "TCP"), Fixtures.port("dns", 53, "UDP")).endSpec().build();
        EndpointSlice slice = slice("web-1", "web", "IPv4", ready("10.0.0.1", null))
                .withPorts(
                        new EndpointPortBuilder().withName("http").withPort(8080).withProtocol("TCP").build(),
                        new EndpointPortBuilder().withName("dns").withPort(5353).withProtocol("TCP").build())
                .build();
        DesiredState state = compute(List.of(svc), List.of(slice));
        assertThat(state.port("ns", "web", "http", IpFamily.IPV4).orElseThrow().endpoints()).extracting(e -> e.port()).containsExactly(8080);
        assertThat(state.port("ns", "web", "dns", IpFamily.IPV4).orElseThrow().endpoints()).isEmpty();
    }

    @Test
    void unnamedPortsAndMissingProtocolUseApiDefaults() {
        Service svc = service("web", "10.96.0.10").editSpec().withPorts(Fixtures.port(null, 80, null)).endSpec().build();
        EndpointSlice slice = slice("web-1", "web", "IPv4", ready("10.0.0.1", null))
                .withPorts(new EndpointPortBuilder().withPort(8080).build()).build();
        ServicePort port = compute(List.of(svc), List.of(slice)).port("ns", "web", "", IpFamily.IPV4).orElseThrow();
        assertThat(port.endpoints()).extracting(e -> e.port()).containsExactly(8080);
    }

    @Test
    void conditionDefaultsFollowKubeProxy() {
        ServicePort port = web(List.of(slice("web",
                new EndpointBuilder().withAddresses("10.0.0.1").build(),
                endpoint("10.0.0.2", null, false, null, null),
                endpoint("10.0.0.3", null, null, null, true))));
        // ready nil -> true, serving nil -> true (not "= ready"), terminating nil -> false.
        assertThat(port.endpoints()).extracting(e -> List.of(e.ready(), e.serving(), e.terminating())).containsExactly(
                List.of(true, true, false),
                List.of(false, true, false),
                List.of(true, true, true));
    }

    @Test
    void dualStackEndpointsGoToTheirFamily() {
        Service svc = service("web", "10.96.0.10").editSpec()
                .withClusterIPs("10.96.0.10", "fd00:96::10").withIpFamilies("IPv4", "IPv6").endSpec().build();
        DesiredState state = compute(List.of(svc), List.of(
                slice("web-v4", "web", "IPv4", ready("10.0.0.1", null)).build(),
                slice("web-v6", "web", "IPv6", ready("fd00::1", null)).build(),
                slice("web-fqdn", "web", "FQDN", ready("db.example.com", null)).build()));
        assertThat(state.errors()).isEmpty();
        assertThat(addresses(state.port("ns", "web", "http", IpFamily.IPV4).orElseThrow().endpoints())).containsExactly("10.0.0.1");
        assertThat(addresses(state.port("ns", "web", "http", IpFamily.IPV6).orElseThrow().endpoints())).containsExactly("fd00:0:0:0:0:0:0:1");
    }

    @Test
    void fallsBackToServingTerminatingOnlyWhenNothingIsReady() {
        Endpoint terminating = endpoint("10.0.0.1", null, false, true, true);
        Endpoint notServing = endpoint("10.0.0.2", null, false, false, true);
        Endpoint notReady = endpoint("10.0.0.3", null, false, false, false);

        ServicePort fallback = web(List.of(slice("web", terminating, notServing, notReady)));
        assertThat(addresses(fallback.clusterEndpoints())).containsExactly("10.0.0.1");
        assertThat(fallback.endpoints()).hasSize(3);

        ServicePort withReady = web(List.of(slice("web", terminating, ready("10.0.0.4", null))));
        assertThat(addresses(withReady.clusterEndpoints())).containsExactly("10.0.0.4");
    }

    @Test
    void internalTrafficPolicyLocalUsesOnlyLocalEndpoints() {
        Service svc = service("web", "10.96.0.10").editSpec().withInternalTrafficPolicy("Local").endSpec().build();
        ServicePort port = web(svc, List.of(slice("web", ready("10.0.0.1", "node-a"), ready("10.0.0.2", "node-b"))));
        assertThat(addresses(port.localEndpoints())).containsExactly("10.0.0.1");
        assertThat(port.clusterEndpoints()).isEmpty(); // not externally accessible: Cluster policy never used
        assertThat(port.endpointsFor(FrontendKind.CLUSTER_IP)).isEqualTo(port.localEndpoints());
    }

    @Test
    void localPolicyFallsBackToLocalServingTerminatingIndependently() {
        Service svc = service("web", "10.96.0.10").editSpec().withInternalTrafficPolicy("Local").endSpec().build();
        ServicePort port = web(svc, List.of(slice("web",
                endpoint("10.0.0.1", "node-a", false, true, true),
                ready("10.0.0.2", "node-b"))));
        assertThat(addresses(port.localEndpoints())).containsExactly("10.0.0.1");
    }

    @Test
    void externalTrafficPolicyLocalKeepsClusterEndpointsForInternalTraffic() {
        Service svc = service("web", "10.96.0.10").editSpec().withType("NodePort").withExternalTrafficPolicy("Local")
                .withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build();
        ServicePort port = web(svc, List.of(slice("web", ready("10.0.0.1", "node-a"), ready("10.0.0.2", "node-b"))));
        assertThat(addresses(port.clusterEndpoints())).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(addresses(port.localEndpoints())).containsExactly("10.0.0.1");
        assertThat(port.endpointsFor(FrontendKind.NODE_PORT)).isEqualTo(port.localEndpoints());
        assertThat(port.endpointsFor(FrontendKind.CLUSTER_IP)).isEqualTo(port.clusterEndpoints());
    }

    @Test
    void externalTrafficPolicyLocalWithoutLocalEndpointsLeavesLocalEmpty() {
        Service svc = service("web", "10.96.0.10").editSpec().withType("NodePort").withExternalTrafficPolicy("Local")
                .withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build();
        ServicePort port = web(svc, List.of(slice("web", ready("10.0.0.2", "node-b"))));
        assertThat(port.localEndpoints()).isEmpty();
        assertThat(port.clusterEndpoints()).hasSize(1);
    }

    @Test
    void zoneHintsFilterWhenEveryReadyEndpointHasOne() {
        ServicePort port = web(List.of(slice("web",
                hinted("10.0.0.1", "node-x", "zone-a", "zone-a", null),
                hinted("10.0.0.2", "node-y", "zone-b", "zone-b", null),
                endpoint("10.0.0.3", null, false, false, false)))); // not ready: its missing hint does not matter
        assertThat(addresses(port.clusterEndpoints())).containsExactly("10.0.0.1");
    }

    @Test
    void zoneHintsAreIgnoredWhenOneReadyEndpointLacksThem() {
        ServicePort port = web(List.of(slice("web",
                hinted("10.0.0.1", "node-x", "zone-a", "zone-a", null),
                hinted("10.0.0.2", "node-y", "zone-b", null, null))));
        assertThat(addresses(port.clusterEndpoints())).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void zoneHintsAreIgnoredWhenNoneNamesThisZone() {
        ServicePort port = web(List.of(slice("web",
                hinted("10.0.0.1", "node-x", "zone-b", "zone-b", null),
                hinted("10.0.0.2", "node-y", "zone-c", "zone-c", null))));
        assertThat(addresses(port.clusterEndpoints())).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void nodeHintsWinOverZoneHints() {
        ServicePort port = web(List.of(slice("web",
                hinted("10.0.0.1", "node-a", "zone-a", "zone-a", "node-a"),
                hinted("10.0.0.2", "node-b", "zone-a", "zone-a", "node-b"))));
        assertThat(addresses(port.clusterEndpoints())).containsExactly("10.0.0.1");
    }

    @Test
    void hintsNeverApplyToLocalEndpoints() {
        Service svc = service("web", "10.96.0.10").editSpec().withInternalTrafficPolicy("Local").endSpec().build();
        ServicePort port = web(svc, List.of(slice("web",
                hinted("10.0.0.1", "node-a", "zone-a", "zone-b", null),
                hinted("10.0.0.2", "node-b", "zone-a", "zone-a", null))));
        assertThat(addresses(port.localEndpoints())).containsExactly("10.0.0.1");
    }

    @Test
    void lastChangeTriggerTimeIsTheNewestOfTheSlices() {
        EndpointSlice older = slice("web-1", "web", "IPv4", ready("10.0.0.1", null)).editMetadata()
                .addToAnnotations(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME, "2026-01-02T03:04:05Z").endMetadata().build();
        EndpointSlice newer = slice("web-2", "web", "IPv4", ready("10.0.0.2", null)).editMetadata()
                .addToAnnotations(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME, "2026-01-02T04:04:05.5+01:00").endMetadata().build();
        EndpointSlice newest = slice("web-3", "web", "IPv4", ready("10.0.0.3", null)).editMetadata()
                .addToAnnotations(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME, "2026-01-02T03:04:06Z").endMetadata().build();
        assertThat(web(List.of(older, newer, newest)).lastChangeTriggerTime()).isEqualTo(Instant.parse("2026-01-02T03:04:06Z"));
    }
}
