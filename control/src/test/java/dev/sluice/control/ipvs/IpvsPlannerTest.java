package dev.sluice.control.ipvs;

import static dev.sluice.control.model.Fixtures.compute;
import static dev.sluice.control.model.Fixtures.endpoint;
import static dev.sluice.control.model.Fixtures.ip;
import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.ipvs.FirewallPlan.FirewallFrontend;
import dev.sluice.control.model.DesiredState;
import dev.sluice.control.model.FrontendKind;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsServiceFlag;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class IpvsPlannerTest {

    private static IpvsPlan plan(DesiredState state) {
        return IpvsPlanner.plan(state.ports().values(), "mh");
    }

    private static IpvsServiceKey tcp(String address, int port) {
        return new IpvsServiceKey(ip(address), IpvsProtocol.TCP, port);
    }

    /** Destination endpoint to weight, sorted. */
    private static Map<String, Integer> weights(PlannedService service) {
        Map<String, Integer> weights = new TreeMap<>();
        service.destinations().values().forEach(d -> weights.put(d.endpoint(), d.weight()));
        return weights;
    }

    @Test
    void clusterIpServiceGetsOneVirtualServiceWithItsReadyEndpointsAndItsVip() {
        IpvsPlan plan = plan(compute(List.of(simple("web", "10.96.0.10")),
                List.of(slice("web", ready("10.0.1.1", "node-a"), ready("10.0.2.1", "node-b")))));

        PlannedService web = plan.services().get(tcp("10.96.0.10", 80));
        assertThat(plan.services()).hasSize(1);
        assertThat(web.service().scheduler()).isEqualTo("mh");
        assertThat(web.service().flags()).as("mh-port: connections, not clients, are spread")
                .containsExactly(IpvsServiceFlag.SCHED2);
        assertThat(IpvsPlanner.plan(compute(List.of(simple("web", "10.96.0.10")), List.of()).ports().values(), "rr")
                .services().get(tcp("10.96.0.10", 80)).service().flags()).as("rr has no port hashing to ask for")
                .isEmpty();
        assertThat(web.kind()).isEqualTo(FrontendKind.CLUSTER_IP);
        assertThat(weights(web)).isEqualTo(Map.of("10.0.1.1:8080", 1, "10.0.2.1:8080", 1));
        assertThat(web.destinations().values()).allMatch(d -> d.equals(IpvsDestination.of(d.address(), 8080, 1)));
        assertThat(plan.vips()).containsExactly(ip("10.96.0.10"));
        assertThat(plan.firewall().frontends()).singleElement()
                .satisfies(f -> assertThat(f.hasEndpoints()).isTrue());
        assertThat(plan.firewall().hairpins()).hasSize(2);
    }

    @Test
    void nodePortLoadBalancerAndExternalIpsEachGetAVirtualServiceButOnlyNonNodeAddressesBecomeVips() {
        Service svc = service("web", "10.96.0.10").editSpec().withType("LoadBalancer")
                .withPorts(nodePort("http", 80, "TCP", 30080))
                .withExternalIPs("203.0.113.7")
                .withLoadBalancerSourceRanges("198.51.100.0/24")
                .endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("203.0.113.50").endIngress()
                .endLoadBalancer().endStatus()
                .build();
        IpvsPlan plan = plan(compute(List.of(svc), List.of(slice("web", ready("10.0.1.1", "node-a")))));

        assertThat(plan.services().keySet()).containsExactlyInAnyOrder(
                tcp("10.96.0.10", 80), tcp("192.168.0.10", 30080), tcp("192.168.0.11", 30080),
                tcp("203.0.113.7", 80), tcp("203.0.113.50", 80));
        assertThat(plan.vips()).containsExactlyInAnyOrder(ip("10.96.0.10"), ip("203.0.113.7"), ip("203.0.113.50"));
        assertThat(plan.services().values()).allSatisfy(s -> assertThat(weights(s)).isEqualTo(Map.of("10.0.1.1:8080", 1)));
        FirewallFrontend lb = plan.firewall().frontends().stream()
                .filter(f -> f.kind() == FrontendKind.LOAD_BALANCER).findFirst().orElseThrow();
        assertThat(lb.sourceRanges()).hasToString("[198.51.100.0/24]");
        assertThat(plan.firewall().frontends()).filteredOn(f -> f.kind() != FrontendKind.LOAD_BALANCER)
                .allSatisfy(f -> assertThat(f.sourceRanges()).isEmpty());
    }

    @Test
    void clientIpAffinityMakesThePersistentFlagWithTheTimeout() {
        Service svc = service("web", "10.96.0.10").editSpec().withSessionAffinity("ClientIP")
                .withNewSessionAffinityConfig().withNewClientIP().withTimeoutSeconds(600).endClientIP()
                .endSessionAffinityConfig().endSpec().build();
        PlannedService web = plan(compute(List.of(svc), List.of(slice("web", ready("10.0.1.1", "node-a")))))
                .services().get(tcp("10.96.0.10", 80));

        assertThat(web.service().flags()).containsExactly(IpvsServiceFlag.PERSISTENT);
        assertThat(web.service().persistenceTimeoutSeconds()).isEqualTo(600);
        assertThat(web.service().netmaskPrefixLength()).isEqualTo(32);
    }

    @Test
    void externalTrafficPolicyLocalGivesExternalFrontendsOnlyLocalEndpointsAndKeepsClusterIpOnAll() {
        Service svc = service("web", "10.96.0.10").editSpec().withType("NodePort").withExternalTrafficPolicy("Local")
                .withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build();
        IpvsPlan plan = plan(compute(List.of(svc),
                List.of(slice("web", ready("10.0.1.1", "node-a"), ready("10.0.2.1", "node-b")))));

        assertThat(weights(plan.services().get(tcp("10.96.0.10", 80))))
                .isEqualTo(Map.of("10.0.1.1:8080", 1, "10.0.2.1:8080", 1));
        assertThat(weights(plan.services().get(tcp("192.168.0.10", 30080)))).isEqualTo(Map.of("10.0.1.1:8080", 1));
        assertThat(plan.firewall().frontends()).filteredOn(f -> f.kind() == FrontendKind.NODE_PORT)
                .allSatisfy(f -> assertThat(f.externalLocal()).isTrue());
        assertThat(plan.firewall().frontends()).filteredOn(f -> f.kind() == FrontendKind.CLUSTER_IP)
                .allSatisfy(f -> assertThat(f.externalLocal()).isFalse());
    }

    @Test
    void servingTerminatingEndpointsAreTheFallbackWhenNothingIsReadyAndDrainOtherwise() {
        var terminating = endpoint("10.0.1.2", "node-a", false, true, true);
        IpvsPlan fallback = plan(compute(List.of(simple("web", "10.96.0.10")), List.of(slice("web", terminating))));
        assertThat(weights(fallback.services().get(tcp("10.96.0.10", 80)))).isEqualTo(Map.of("10.0.1.2:8080", 1));

        IpvsPlan draining = plan(compute(List.of(simple("web", "10.96.0.10")),
                List.of(slice("web", ready("10.0.1.1", "node-a"), terminating))));
        assertThat(weights(draining.services().get(tcp("10.96.0.10", 80))))
                .isEqualTo(Map.of("10.0.1.1:8080", 1, "10.0.1.2:8080", 0));
    }

    @Test
    void frontendWithoutEndpointsIsPlannedEmptyAndMarkedForReject() {
        IpvsPlan plan = plan(compute(List.of(simple("web", "10.96.0.10")),
                List.of(slice("web", endpoint("10.0.1.1", "node-a", false, false, false)))));

        assertThat(plan.services().get(tcp("10.96.0.10", 80)).destinations()).isEmpty();
        assertThat(plan.firewall().frontends()).singleElement().satisfies(f -> assertThat(f.hasEndpoints()).isFalse());
    }

    @Test
    void ipv6AndUdpServicesAreKeyedByTheirFamilyAndProtocol() {
        Service svc = service("dns", "fd00:96::a").editSpec().withIpFamilies("IPv6")
                .withPorts(nodePort("dns", 53, "UDP", 0)).endSpec().build();
        var slice = slice("dns-abc", "dns", "IPv6", ready("fd00:1::1", "node-a")).editFirstPort()
                .withName("dns").withProtocol("UDP").withPort(5353).endPort().build();
        IpvsPlan plan = plan(compute(List.of(svc), List.of(slice)));

        IpvsServiceKey key = new IpvsServiceKey(ip("fd00:96::a"), IpvsProtocol.UDP, 53);
        assertThat(plan.services()).containsOnlyKeys(key);
        assertThat(plan.services().get(key).service().netmaskPrefixLength()).isEqualTo(128);
        assertThat(weights(plan.services().get(key))).isEqualTo(Map.of("[fd00:1:0:0:0:0:0:1]:5353", 1));
        assertThat(plan.vips()).isEqualTo(Set.of(ip("fd00:96::a")));
    }

    @Test
    void aFrontendClaimedTwiceGoesToTheOlderServiceAndTheOtherIsAConflict() {
        Service older = service("old", "10.96.0.10").editMetadata().withCreationTimestamp("2024-01-01T00:00:00Z")
                .endMetadata().build();
        Service newer = service("new", "10.96.0.10").editMetadata().withCreationTimestamp("2025-01-01T00:00:00Z")
                .endMetadata().build();
        IpvsPlan plan = plan(compute(List.of(newer, older),
                List.of(slice("old", ready("10.0.1.1", "node-a")), slice("new", ready("10.0.9.9", "node-a")))));

        assertThat(plan.services().get(tcp("10.96.0.10", 80)).owner().name().name()).isEqualTo("old");
        assertThat(plan.conflicts()).singleElement().asString().contains("ns/new");
    }

    @Test
    void schedulerIsTheCallersChoice() {
        IpvsPlan plan = IpvsPlanner.plan(compute(List.of(simple("web", "10.96.0.10")), List.of()).ports().values(), "rr");
        assertThat(plan.services().values()).allSatisfy(s -> assertThat(s.service().scheduler()).isEqualTo("rr"));
    }
}
