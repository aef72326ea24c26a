package dev.sluice.control.sync;

import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.model.Fixtures;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.control.model.ServicePort;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generations the reconciler writes beside service and backend ids: kept while an id names
 * the same thing, adopted by a restarted agent, and never repeated after a restart, not even one
 * that only an affinity entry still names.
 */
class ReconcilerGenerationTest {
    private static final int MAX_TABLE = 251;

    private static Collection<ServicePort> ports(List<Service> services, List<EndpointSlice> slices) {
        return ProxySemantics.compute(services, slices, Fixtures.NODE).ports().values();
    }

    @Test
    void generationsStayWhileIdsNameTheSameThingAndARestartAdoptsThem() {
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        List<Service> web = List.of(simple("web", "10.96.0.1"));
        Reconciler.adopt(maps, MAX_TABLE, 0).sync(ports(web,
                List.of(slice("web", ready("10.244.1.1", "node-b"), ready("10.244.1.2", "node-b")))));
        Map<Integer, ServiceValue> services = new HashMap<>(maps.services.content);
        Map<Integer, BackendValue> backends = new HashMap<>(maps.backends.content);
        assertThat(services.values()).extracting(ServiceValue::generation).doesNotContain(0);
        assertThat(backends.values()).extracting(BackendValue::generation).doesNotContain(0).doesNotHaveDuplicates();

        // A restarted agent; meanwhile the second endpoint is found on this node: its entry changes (local),
        // its id and generation stay.
        maps.remembered = new ServiceMaps.RememberedGenerations(500, 900);
        Reconciler restarted = Reconciler.adopt(maps, MAX_TABLE, 0);
        restarted.sync(ports(List.of(web.getFirst(), simple("api", "10.96.0.2")), List.of(
                slice("web", ready("10.244.1.1", "node-b"), ready("10.244.1.2", "node-a")),
                slice("api", ready("10.244.1.3", "node-b")))));

        services.forEach((id, before) -> assertThat(maps.services.content.get(id).generation())
                .as("service %d", id).isEqualTo(before.generation()));
        backends.forEach((id, before) -> assertThat(maps.backends.content.get(id).generation())
                .as("backend %d", id).isEqualTo(before.generation()));
        // Above every generation the maps named, the affinity entries' included.
        maps.services.content.forEach((id, service) -> {
            if (!services.containsKey(id)) {
                assertThat(Integer.toUnsignedLong(service.generation())).as("the new service").isGreaterThan(500);
            }
        });
        maps.backends.content.forEach((id, backend) -> {
            if (!backends.containsKey(id)) {
                assertThat(Integer.toUnsignedLong(backend.generation())).as("the new backend").isGreaterThan(900);
            }
        });
        assertThat(maps.services.content).hasSize(2);
        assertThat(maps.backends.content).hasSize(3);
        assertThat(maps.backends.content.values()).filteredOn(b -> b.flags() == BackendValue.F_LOCAL).hasSize(1);
    }
}
