package dev.sluice.control.sync;

import static dev.sluice.control.model.Fixtures.endpoint;
import static dev.sluice.control.model.Fixtures.ip;
import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.AffinityKey;
import dev.sluice.control.datapath.AffinityValue;
import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.TrafficCounter;
import dev.sluice.control.datapath.Datapath;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import dev.sluice.control.model.DesiredState;
import dev.sluice.control.model.Fixtures;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.PrivateBpffs;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Desired service ports in, map contents out: through the real maps of a loaded datapath. */
@KernelTest
class ReconcilerTest {
    static final int MAGLEV = 251;
    private PrivateBpffs bpffs;
    private Datapath datapath;
    private DatapathMaps maps;

    @BeforeEach
    void load() {
        bpffs = PrivateBpffs.mount();
        datapath = Datapath.load(bpffs.root().resolve("maps"));
        maps = datapath.maps();
    }

    @AfterEach
    void unload() {
        datapath.close();
        bpffs.close();
    }

    private static DesiredState desired(List<Service> services, List<EndpointSlice> slices) {
        return ProxySemantics.compute(services, slices, Fixtures.NODE);
    }

    private Map<String, Integer> serviceIdsByName() {
        return maps.names().lookupBatch().entrySet().stream()
                .collect(Collectors.toMap(e -> e.getValue().display(), Map.Entry::getKey));
    }

    private int backendIdOf(String address) {
        return maps.backends().lookupBatch().entrySet().stream()
                .filter(e -> e.getValue().address().equals(ip(address))).findFirst().orElseThrow().getKey();
    }

    @Test
    void aClusterIpServiceBecomesAFrontendAServiceATableAndItsBackends() {
        Reconciler reconciler = Reconciler.adopt(maps, MAGLEV, 0);
        SyncResult result = reconciler.sync(desired(List.of(simple("web", "10.96.0.10")),
                List.of(slice("web", ready("10.244.1.5", "node-b"), ready("10.244.0.7", "node-a")))).ports().values());

        assertThat(result.services()).isEqualTo(1);
        assertThat(result.refused()).isEmpty();
        assertThat(result.errors()).isEmpty();
        int id = serviceIdsByName().get("ns/web:http");
        assertThat(maps.frontends().lookupBatch())
                .isEqualTo(Map.of(new FrontendKey(ip("10.96.0.10"), 80, 6), new FrontendValue(id, FrontendValue.CLUSTER_IP)));
        // Reached by its ClusterIP alone: one slot per backend, picked at random.
        assertThat(maps.services().lookup(id).map(ServiceValue::withoutGeneration)).contains(new ServiceValue(ServiceValue.F_RANDOM, 0, 2, 2));
        assertThat(maps.backends().lookupBatch().values()).extracting(BackendValue::withoutGeneration).containsExactlyInAnyOrder(
                new BackendValue(ip("10.244.1.5"), 8080, 0), new BackendValue(ip("10.244.0.7"), 8080, BackendValue.F_LOCAL));
        assertThat(maps.maglevTableId(id)).isPresent();
        assertThat(maps.names().lookup(id)).contains(new ServiceName("ns", "web", "http", 0, 4, 6));
    }

    @Test
    void externalTrafficPolicyLocalSendsExternalFrontendsToALocalViewAndClusterIpToTheClusterView() {
        Service service = service("shop", "10.96.0.20").editSpec().withType("LoadBalancer")
                .withExternalTrafficPolicy("Local").withHealthCheckNodePort(32000)
                .withLoadBalancerSourceRanges("203.0.113.0/24")
                .withPorts(nodePort("http", 80, "TCP", 30080)).endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("198.51.100.7").endIngress()
                .endLoadBalancer().endStatus().build();
        Reconciler reconciler = Reconciler.adopt(maps, MAGLEV, 0);
        reconciler.sync(desired(List.of(service),
                List.of(slice("shop", ready("10.244.1.5", "node-b"), ready("10.244.0.7", "node-a")))).ports().values());

        Map<String, Integer> ids = serviceIdsByName();
        int cluster = ids.get("ns/shop:http");
        int local = ids.get("ns/shop:http (local)");
        Map<FrontendKey, FrontendValue> frontends = maps.frontends().lookupBatch();
        assertThat(frontends.get(new FrontendKey(ip("10.96.0.20"), 80, 6)).serviceId()).isEqualTo(cluster);
        assertThat(frontends.get(new FrontendKey(ip("192.168.0.10"), 30080, 6)).serviceId()).isEqualTo(local);
        int ranged = frontends.get(new FrontendKey(ip("198.51.100.7"), 80, 6)).serviceId();
        assertThat(ranged).isNotIn(cluster, local);
        assertThat(maps.services().lookup(local).orElseThrow().flags())
                .isEqualTo(ServiceValue.F_NO_SNAT | ServiceValue.F_DROP_EMPTY);
        assertThat(maps.services().lookup(local).orElseThrow().backendCount()).isEqualTo(1);
        assertThat(maps.services().lookup(ranged).orElseThrow().flags())
                .isEqualTo(ServiceValue.F_NO_SNAT | ServiceValue.F_DROP_EMPTY | ServiceValue.F_SOURCE_RANGES);
        assertThat(maps.sourceRanges().keys()).containsExactly(new SourceRangeKey(ranged, ip("203.0.113.0"), 24));
    }

    @Test
    void removedServicesGoAndTheRestIsUntouched() {
        Reconciler reconciler = Reconciler.adopt(maps, MAGLEV, 0);
        List<Service> both = List.of(simple("a", "10.96.0.1"), simple("b", "10.96.0.2"));
        List<EndpointSlice> slices = List.of(slice("a", ready("10.244.1.1", "node-b")), slice("b", ready("10.244.1.2", "node-b")));
        reconciler.sync(desired(both, slices).ports().values());
        int idOfB = serviceIdsByName().get("ns/b:http");
        int tableOfB = maps.maglevTableId(idOfB).orElseThrow();

        reconciler.sync(desired(List.of(both.get(1)), slices).ports().values());

        assertThat(serviceIdsByName()).containsOnlyKeys("ns/b:http");
        assertThat(serviceIdsByName().get("ns/b:http")).isEqualTo(idOfB);
        assertThat(maps.maglevTableId(idOfB)).contains(tableOfB);
        assertThat(maps.frontends().keys()).containsExactly(new FrontendKey(ip("10.96.0.2"), 80, 6));
        assertThat(maps.backends().lookupBatch().values()).extracting(BackendValue::withoutGeneration).containsExactly(new BackendValue(ip("10.244.1.2"), 8080, 0));
        assertThat(maps.services().keys()).containsExactly(idOfB);
    }

    @Test
    void aRemovedServicesAffinityAndCountersAreDeletedWithItsIds() {
        Reconciler reconciler = Reconciler.adopt(maps, MAGLEV, 0);
        List<Service> both = List.of(simple("a", "10.96.0.1"), simple("b", "10.96.0.2"));
        List<EndpointSlice> slices = List.of(slice("a", ready("10.244.1.1", "node-b")), slice("b", ready("10.244.1.2", "node-b")));
        reconciler.sync(desired(both, slices).ports().values());
        int a = serviceIdsByName().get("ns/a:http");
        int b = serviceIdsByName().get("ns/b:http");
        int backendOfA = backendIdOf("10.244.1.1");
        int backendOfB = backendIdOf("10.244.1.2");
        // What packets would have left: a client remembered per service, counters per service.
        maps.affinity().put(new AffinityKey(ip("192.0.2.7"), a), new AffinityValue(1, backendOfA, 0, 0));
        maps.affinity().put(new AffinityKey(ip("192.0.2.7"), b), new AffinityValue(1, backendOfB, 0, 0));
        int cpus = maps.traffic().cpus();
        maps.traffic().updateBatch(Map.of(a, java.util.Collections.nCopies(cpus, new TrafficCounter(5, 500)),
                b, java.util.Collections.nCopies(cpus, new TrafficCounter(6, 600))));

        reconciler.sync(desired(List.of(both.get(1)), slices).ports().values());

        assertThat(maps.affinity().keys()).containsExactly(new AffinityKey(ip("192.0.2.7"), b));
        assertThat(maps.traffic().keys()).containsExactly(b);
    }

    @Test
    void aRestartedReconcilerAdoptsIdsAndRemovesStaleEntriesOnlyOnItsFirstSync() {
        List<Service> services = List.of(simple("a", "10.96.0.1"), simple("b", "10.96.0.2"));
        List<EndpointSlice> slices = List.of(slice("a", ready("10.244.1.1", "node-b")), slice("b", ready("10.244.1.2", "node-b")));
        Reconciler.adopt(maps, MAGLEV, 0).sync(desired(services, slices).ports().values());
        Map<String, Integer> before = serviceIdsByName();
        Map<FrontendKey, FrontendValue> frontendsBefore = maps.frontends().lookupBatch();

        datapath.close();
        datapath = Datapath.load(bpffs.root().resolve("maps"));
        maps = datapath.maps();
        Reconciler restarted = Reconciler.adopt(maps, MAGLEV, 0);
        assertThat(maps.frontends().lookupBatch()).as("nothing removed before the first sync").isEqualTo(frontendsBefore);

        restarted.sync(desired(List.of(services.get(1)), slices).ports().values());
        assertThat(serviceIdsByName()).containsExactly(Map.entry("ns/b:http", before.get("ns/b:http")));
        assertThat(maps.frontends().lookupBatch()).containsOnlyKeys(new FrontendKey(ip("10.96.0.2"), 80, 6));
    }

    @Test
    void generationsThatOnlyAnAffinityEntryStillNamesAreNotHandedOutAgain() {
        // Left by a service and a backend deleted before the agent restarted.
        maps.affinity().put(new AffinityKey(ip("198.51.100.1"), 9), new AffinityValue(1, 9, 700, 600));

        Reconciler.adopt(maps, MAGLEV, 0).sync(desired(List.of(simple("a", "10.96.0.1")),
                List.of(slice("a", ready("10.244.1.1", "node-b")))).ports().values());

        assertThat(maps.services().lookupBatch().values()).singleElement()
                .extracting(ServiceValue::generation).isEqualTo(601);
        assertThat(maps.backends().lookupBatch().values()).singleElement()
                .extracting(BackendValue::generation).isEqualTo(701);
    }

    @Test
    void terminatingEndpointsOnlyFillTheTableWhenNothingIsReady() {
        Reconciler reconciler = Reconciler.adopt(maps, MAGLEV, 0);
        reconciler.sync(desired(List.of(simple("a", "10.96.0.1")), List.of(slice("a",
                ready("10.244.1.1", "node-b"), endpoint("10.244.1.9", "node-b", false, true, true)))).ports().values());
        int id = serviceIdsByName().get("ns/a:http");
        assertThat(maps.services().lookup(id).orElseThrow().backendCount()).isEqualTo(1);
        assertThat(maps.backends().lookupBatch().values()).extracting(BackendValue::address).containsExactly(ip("10.244.1.1"));

        reconciler.sync(desired(List.of(simple("a", "10.96.0.1")), List.of(slice("a",
                endpoint("10.244.1.9", "node-b", false, true, true)))).ports().values());
        assertThat(maps.backends().lookupBatch().values()).extracting(BackendValue::withoutGeneration).containsExactly(
                new BackendValue(ip("10.244.1.9"), 8080, BackendValue.F_TERMINATING));
    }

    @Test
    void portsThatDoNotFitAreRefusedAndNothingProgrammedIsDisturbed() {
        datapath.close();
        bpffs.close();
        bpffs = PrivateBpffs.mount();
        datapath = Datapath.load(bpffs.root().resolve("maps"), Map.of(DatapathMaps.FRONTENDS, 3));
        maps = datapath.maps();
        Reconciler reconciler = Reconciler.adopt(maps, MAGLEV, 0);
        List<Service> services = new ArrayList<>(List.of(simple("a", "10.96.0.1"), simple("b", "10.96.0.2")));
        List<EndpointSlice> slices = new ArrayList<>(List.of(slice("a", ready("10.244.1.1", "node-b")),
                slice("b", ready("10.244.1.2", "node-b"))));
        reconciler.sync(desired(services, slices).ports().values());
        Map<FrontendKey, FrontendValue> programmed = maps.frontends().lookupBatch();

        services.add(simple("c", "10.96.0.3"));
        services.add(simple("d", "10.96.0.4"));
        SyncResult result = reconciler.sync(desired(services, slices).ports().values());

        assertThat(result.refused()).hasSize(1).first().asString()
                .contains("ns/d:http").contains("svc_frontends needs 4 entries, capacity 3");
        assertThat(maps.frontends().lookupBatch()).containsAllEntriesOf(programmed).hasSize(3);
        assertThat(serviceIdsByName().keySet()).isEqualTo(Set.of("ns/a:http", "ns/b:http", "ns/c:http"));
    }
}
