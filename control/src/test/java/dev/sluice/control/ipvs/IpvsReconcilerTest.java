package dev.sluice.control.ipvs;

import static dev.sluice.control.model.Fixtures.compute;
import static dev.sluice.control.model.Fixtures.ip;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.model.DesiredState;
import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import dev.sluice.control.sync.SyncResult;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IpvsReconcilerTest {
    private static final IpvsServiceKey WEB = new IpvsServiceKey(ip("10.96.0.10"), IpvsProtocol.TCP, 80);

    private final FakeIpvsKernel kernel = new FakeIpvsKernel();
    private final List<FirewallPlan> firewallWrites = new ArrayList<>();
    private final IpvsReconciler reconciler = new IpvsReconciler(kernel, firewallWrites::add, "rr");

    private static Collection<ServicePort> web(String... endpoints) {
        return state(endpoints).ports().values();
    }

    private static DesiredState state(String... endpoints) {
        return compute(List.of(simple("web", "10.96.0.10")),
                List.of(slice("web", java.util.Arrays.stream(endpoints).map(a -> ready(a, "node-a"))
                        .toArray(io.fabric8.kubernetes.api.model.discovery.v1.Endpoint[]::new))));
    }

    private static Map<ServicePortKey, ServicePort> changed(Collection<ServicePort> ports) {
        Map<ServicePortKey, ServicePort> changed = new HashMap<>();
        ports.forEach(p -> changed.put(p.key(), p));
        return changed;
    }

    @Test
    void firstSyncProgramsVipServiceDestinationsAndFirewallThenAnUnchangedUpdateWritesNothing() {
        SyncResult first = reconciler.sync(web("10.0.1.1", "10.0.1.2"));

        assertThat(kernel.calls).containsExactly("add vip 10.96.0.10", "add service TCP 10.96.0.10:80",
                "add destination TCP 10.96.0.10:80 10.0.1.1:8080", "add destination TCP 10.96.0.10:80 10.0.1.2:8080");
        assertThat(kernel.services.get(WEB).scheduler()).isEqualTo("rr");
        assertThat(first.services()).isEqualTo(1);
        assertThat(first.backends()).isEqualTo(2);
        assertThat(first.errors()).isEmpty();
        assertThat(firewallWrites).hasSize(1);

        kernel.calls.clear();
        SyncResult again = reconciler.update(changed(web("10.0.1.1", "10.0.1.2")));
        assertThat(kernel.calls).isEmpty();
        assertThat(again.writes()).isZero();
        assertThat(firewallWrites).hasSize(1);
    }

    @Test
    void scalingDownDeletesOnlyTheGoneDestinationAndRemovingTheServiceDeletesItAndItsVip() {
        reconciler.sync(web("10.0.1.1", "10.0.1.2"));
        kernel.calls.clear();

        reconciler.update(changed(web("10.0.1.1")));
        assertThat(kernel.calls).containsExactly("delete destination TCP 10.96.0.10:80 10.0.1.2:8080");

        kernel.calls.clear();
        Map<ServicePortKey, ServicePort> removed = new HashMap<>();
        web("10.0.1.1").forEach(p -> removed.put(p.key(), null));
        SyncResult result = reconciler.update(removed);
        assertThat(kernel.calls).containsExactly("delete service TCP 10.96.0.10:80", "remove vip 10.96.0.10");
        assertThat(kernel.services).isEmpty();
        assertThat(result.services()).isZero();
        assertThat(firewallWrites.getLast().frontends()).isEmpty();
    }

    @Test
    void servicesNotOnTheDummyAndNeverPlannedAreLeftAloneWhileStaleOnesOnTheDummyGo() {
        IpvsServiceKey foreign = new IpvsServiceKey(ip("172.16.0.1"), IpvsProtocol.TCP, 443);
        IpvsServiceKey stale = new IpvsServiceKey(ip("10.96.0.99"), IpvsProtocol.UDP, 53);
        kernel.addService(IpvsService.of(foreign, "wrr"));
        kernel.addService(IpvsService.of(stale, "rr"));
        kernel.addVip(ip("10.96.0.99"));
        kernel.calls.clear();

        reconciler.sync(web("10.0.1.1"));

        assertThat(kernel.services).containsOnlyKeys(foreign, WEB);
        assertThat(kernel.vips).containsExactly(ip("10.96.0.10"));
    }

    @Test
    void aRestartedReconcilerDeletesARecordedNodePortWhoseServiceWentAndLeavesOthersAlone() {
        IpvsServiceKey nodePort = new IpvsServiceKey(ip("192.168.1.5"), IpvsProtocol.TCP, 30080);
        IpvsServiceKey foreignOnNode = new IpvsServiceKey(ip("192.168.1.5"), IpvsProtocol.TCP, 30081);
        kernel.addService(IpvsService.of(nodePort, "rr"));
        kernel.addDestination(nodePort, IpvsDestination.of(ip("10.0.1.1"), 8080, 1));
        kernel.addService(IpvsService.of(foreignOnNode, "rr"));
        RecordingStore store = new RecordingStore(List.of(new OwnedService(nodePort, "ns", "gone", "http",
                dev.sluice.control.model.FrontendKind.NODE_PORT, "rr", 0, false, false)));

        SyncResult result = new IpvsReconciler(kernel, firewallWrites::add, "rr", store).sync(web("10.0.1.1"));

        assertThat(result.errors()).isEmpty();
        assertThat(kernel.services).containsOnlyKeys(foreignOnNode, WEB);
        assertThat(store.writes.getLast()).extracting(OwnedService::key).containsExactly(WEB);
        assertThat(store.writes.getLast().getFirst().display()).isEqualTo("ns/web:http");
    }

    @Test
    void aServiceIsRecordedBeforeItIsAddedAndForgottenOnlyAfterItIsDeleted() {
        RecordingStore store = new RecordingStore(List.of());
        kernel.failing.add("delete service");
        IpvsReconciler recording = new IpvsReconciler(kernel, firewallWrites::add, "rr", store);
        store.kernel = kernel;

        recording.sync(web("10.0.1.1"));
        // The first write happened before the kernel had the service.
        assertThat(store.writes.getFirst()).extracting(OwnedService::key).containsExactly(WEB);
        assertThat(store.servicesAtWrite.getFirst()).isEmpty();

        Map<ServicePortKey, ServicePort> removed = new HashMap<>();
        web("10.0.1.1").forEach(port -> removed.put(port.key(), null));
        SyncResult failed = recording.update(removed);
        assertThat(failed.errors()).isNotEmpty();
        assertThat(store.writes.getLast()).extracting(OwnedService::key).containsExactly(WEB);

        kernel.failing.clear();
        recording.retry();
        assertThat(kernel.services).isEmpty();
        assertThat(store.writes.getLast()).isEmpty();
    }

    /** Keeps every write, and what the kernel held at each. */
    private static final class RecordingStore implements IpvsStateStore {
        private final List<OwnedService> initial;
        final List<List<OwnedService>> writes = new ArrayList<>();
        final List<java.util.Set<IpvsServiceKey>> servicesAtWrite = new ArrayList<>();
        FakeIpvsKernel kernel;

        RecordingStore(List<OwnedService> initial) {
            this.initial = initial;
        }

        @Override
        public List<OwnedService> read() {
            return initial;
        }

        @Override
        public void write(List<OwnedService> services) {
            writes.add(services);
            servicesAtWrite.add(kernel == null ? java.util.Set.of() : java.util.Set.copyOf(kernel.services.keySet()));
        }
    }

    @Test
    void aFailedWriteIsReportedAndRetriedUntilItSucceeds() {
        kernel.failing.add("10.0.1.2:8080");
        SyncResult failed = reconciler.sync(web("10.0.1.1", "10.0.1.2"));
        assertThat(failed.errors()).singleElement().asString()
                .contains("IPVS service TCP 10.96.0.10:80 destination 10.0.1.2:8080").contains("add failed");

        SyncResult stillFailing = reconciler.retry();
        assertThat(stillFailing.errors()).hasSize(1);

        kernel.failing.clear();
        SyncResult retried = reconciler.retry();
        assertThat(retried.errors()).isEmpty();
        assertThat(kernel.destinations(WEB)).extracting(IpvsDestination::endpoint)
                .containsExactlyInAnyOrder("10.0.1.1:8080", "10.0.1.2:8080");
    }

    @Test
    void resyncRepairsWhatChangedBehindSluicesBack() {
        reconciler.sync(web("10.0.1.1", "10.0.1.2"));
        kernel.destinations.get(WEB).remove("10.0.1.2:8080");
        kernel.destinations.get(WEB).put("10.0.1.1:8080", IpvsDestination.of(ip("10.0.1.1"), 8080, 5));
        kernel.calls.clear();

        SyncResult repaired = reconciler.resync(web("10.0.1.1", "10.0.1.2"));

        assertThat(kernel.calls).containsExactlyInAnyOrder("add destination TCP 10.96.0.10:80 10.0.1.2:8080",
                "update destination TCP 10.96.0.10:80 10.0.1.1:8080 weight 1");
        assertThat(repaired.writes()).isEqualTo(2);
        assertThat(firewallWrites).hasSize(2);  // rewritten whole by every full sync, not counted as a repair
    }

    @Test
    void aServiceWhoseSchedulerDiffersIsUpdatedInPlace() {
        kernel.addService(IpvsService.of(WEB, "wrr"));
        kernel.addVip(ip("10.96.0.10"));
        kernel.calls.clear();

        reconciler.sync(web("10.0.1.1"));

        assertThat(kernel.calls).contains("update service TCP 10.96.0.10:80").doesNotContain("add service TCP 10.96.0.10:80");
        assertThat(kernel.services.get(WEB).scheduler()).isEqualTo("rr");
    }
}
