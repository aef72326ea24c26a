package dev.sluice.control.sync;

import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.model.Fixtures;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.control.model.ServicePort;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Map writes that fail, injected without a kernel: nothing the datapath reads may dangle, the
 * failure is reported until it is repaired, and retries converge to what a clean sync writes.
 */
class ReconcilerFailureTest {
    private static final int MAX_TABLE = 251;

    private static Collection<ServicePort> ports(List<Service> services, List<EndpointSlice> slices) {
        return ProxySemantics.compute(services, slices, Fixtures.NODE).ports().values();
    }

    private static final List<Service> BEFORE = List.of(
            simple("a", "10.96.0.1"),
            service("web", "10.96.0.2").editSpec().withType("NodePort").withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build(),
            service("shop", "10.96.0.3").editSpec().withType("LoadBalancer").withExternalTrafficPolicy("Local")
                    .withLoadBalancerSourceRanges("203.0.113.0/24").withPorts(nodePort("http", 80, "TCP", 30081)).endSpec()
                    .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("198.51.100.7").endIngress()
                    .endLoadBalancer().endStatus().build());
    private static final List<EndpointSlice> SLICES_BEFORE = List.of(
            slice("a", ready("10.244.1.1", "node-b"), ready("10.244.1.2", "node-b")),
            slice("web", ready("10.244.1.2", "node-b"), ready("10.244.0.3", "node-a")),
            slice("shop", ready("10.244.0.4", "node-a"), ready("10.244.1.5", "node-b")));
    /** web loses a backend and gains two, a goes, shop's only local backend moves. */
    private static final List<Service> AFTER = BEFORE.subList(1, 3);
    private static final List<EndpointSlice> SLICES_AFTER = List.of(
            slice("web", ready("10.244.0.3", "node-a"), ready("10.244.1.6", "node-b"), ready("10.244.1.7", "node-b")),
            slice("shop", ready("10.244.0.8", "node-a"), ready("10.244.1.5", "node-b")));

    private static RenderedMaps clean(Collection<ServicePort> ports) {
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        SyncResult result = Reconciler.adopt(maps, MAX_TABLE, 0).sync(ports);
        assertThat(result.errors()).isEmpty();
        return RenderedMaps.of(maps);
    }

    @Test
    void aTableThatCannotBeInstalledLeavesItsServiceUnpublishedReportedAndRetriedUntilItIs() {
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        Reconciler reconciler = Reconciler.adopt(maps, MAX_TABLE, 0);
        maps.failEveryWriteTo("svc_maglev");

        SyncResult failed = reconciler.sync(ports(BEFORE, SLICES_BEFORE));

        assertThat(failed.errors()).isNotEmpty().allSatisfy(e -> assertThat(e).startsWith("cannot program table of service ")
                .contains("injected failure writing svc_maglev"));
        assertThat(reconciler.hasFailures()).isTrue();
        // No frontend leads to a service without its table: those flows pass, never hit an empty service.
        RenderedMaps partial = RenderedMaps.of(maps);
        assertThat(partial.frontends()).isEmpty();
        assertThat(partial.services()).isEmpty();

        assertThat(reconciler.retry().errors()).as("still failing").hasSameSizeAs(failed.errors());
        maps.heal();
        SyncResult repaired = reconciler.retry();

        assertThat(repaired.errors()).isEmpty();
        assertThat(reconciler.hasFailures()).isFalse();
        assertThat(RenderedMaps.of(maps)).isEqualTo(clean(ports(BEFORE, SLICES_BEFORE)));
    }

    @Test
    void whicheverWriteOfAFirstSyncFailsNothingDanglesAndOneRetryRepairsIt() {
        everyFailingWriteConverges(List.of(), ports(BEFORE, SLICES_BEFORE));
    }

    @Test
    void whicheverWriteOfAnUpdateFailsNothingDanglesAndRetriesConverge() {
        everyFailingWriteConverges(ports(BEFORE, SLICES_BEFORE), ports(AFTER, SLICES_AFTER));
    }

    /**
     * From maps programmed with {@code from}, syncs {@code to} once per write it takes, failing
     * that write: nothing may dangle, and one retry must give what a clean sync of {@code to} gives.
     */
    private static void everyFailingWriteConverges(Collection<ServicePort> from, Collection<ServicePort> to) {
        InMemoryServiceMaps probe = new InMemoryServiceMaps();
        Reconciler probing = Reconciler.adopt(probe, MAX_TABLE, 0);
        probing.sync(from);
        probe.resetWriteCount();
        probing.sync(to);
        int total = probe.totalWrites();
        RenderedMaps expected = clean(to);
        assertThat(total).isGreaterThan(10);

        int reported = 0;
        for (int n = 1; n <= total; n++) {
            InMemoryServiceMaps maps = new InMemoryServiceMaps();
            Reconciler reconciler = Reconciler.adopt(maps, MAX_TABLE, 0);
            reconciler.sync(from);
            maps.failNthWrite(n);

            SyncResult result = reconciler.sync(to);

            // A failed batch is written again entry by entry, which absorbs a single failure.
            assertThat(result.errors()).as("write %d of %d failed", n, total).hasSizeLessThanOrEqualTo(1);
            reported += result.errors().size();
            RenderedMaps.of(maps); // throws if anything dangles
            assertThat(reconciler.retry().errors()).as("retry after write %d failed", n).isEmpty();
            assertThat(RenderedMaps.of(maps)).as("after write %d failed and a retry", n).isEqualTo(expected);
        }
        assertThat(reported).as("failures that could not be absorbed, reported").isPositive();
    }

    @Test
    void aFullResyncRepairsEntriesDeletedBehindTheAgentsBackAndWritesNothingWhenNothingDrifted() {
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        Reconciler reconciler = Reconciler.adopt(maps, MAX_TABLE, 0);
        reconciler.sync(ports(BEFORE, SLICES_BEFORE));
        RenderedMaps expected = RenderedMaps.of(maps);

        maps.resetWriteCount();
        assertThat(reconciler.resync(ports(BEFORE, SLICES_BEFORE)).writes()).isZero();
        assertThat(maps.totalWrites()).isZero();

        int someFrontendService = maps.frontends.content.values().iterator().next().serviceId();
        maps.frontends.content.clear();
        maps.backends.content.remove(maps.backends.content.keySet().iterator().next());
        maps.tables.remove(someFrontendService);
        SyncResult repaired = reconciler.resync(ports(BEFORE, SLICES_BEFORE));

        assertThat(repaired.writes()).isPositive();
        assertThat(RenderedMaps.of(maps)).isEqualTo(expected);
    }

    @Test
    void aRestartedReconcilerKeepsTablesWhoseDigestMatchesAndRewritesOnlyWhatChanged() {
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        Reconciler.adopt(maps, MAX_TABLE, 0).sync(ports(BEFORE, SLICES_BEFORE));
        maps.resetWriteCount();

        Reconciler restarted = Reconciler.adopt(maps, MAX_TABLE, 0);
        SyncResult same = restarted.sync(ports(BEFORE, SLICES_BEFORE));
        assertThat(same.writes()).as("nothing changed while the agent was away").isZero();

        // A table whose digest is missing (its agent died between table and digest) is rewritten.
        int service = maps.tableDigests.content.keySet().iterator().next();
        maps.tableDigests.content.remove(service);
        SyncResult again = Reconciler.adopt(maps, MAX_TABLE, 0).sync(ports(BEFORE, SLICES_BEFORE));
        assertThat(maps.writes).containsEntry("svc_maglev", 1).containsEntry("svc_table_digests", 1);
        assertThat(again.writes()).isEqualTo(2);
    }
}
