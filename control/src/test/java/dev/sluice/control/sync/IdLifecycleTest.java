package dev.sluice.control.sync;

import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.model.Fixtures;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A freed id is not handed out again at once, and what the datapath kept for it is deleted. */
class IdLifecycleTest {
    private static Collection<ServicePort> ports(List<Service> services, List<EndpointSlice> slices) {
        return ProxySemantics.compute(services, slices, Fixtures.NODE).ports().values();
    }

    private static int idOf(InMemoryServiceMaps maps, String display) {
        return maps.names.content.entrySet().stream().filter(e -> e.getValue().display().equals(display))
                .findFirst().orElseThrow().getKey();
    }

    @Test
    void aRemovedServicesIdsRestAndTheirAffinityAndCountersAreDeleted() {
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        Reconciler reconciler = Reconciler.adopt(maps, 251, 0);
        List<EndpointSlice> slices = List.of(slice("a", ready("10.244.1.1", "node-b")), slice("b", ready("10.244.1.2", "node-b")),
                slice("c", ready("10.244.1.3", "node-b")));
        reconciler.sync(ports(List.of(simple("a", "10.96.0.1"), simple("b", "10.96.0.2")), slices));
        int a = idOf(maps, "ns/a:http");
        int backendOfA = maps.backends.content.entrySet().stream()
                .filter(e -> e.getValue().address().getHostAddress().equals("10.244.1.1")).findFirst().orElseThrow().getKey();

        // The change itself does not walk the affinity map; the next full sync does.
        Map<ServicePortKey, ServicePort> removal = new HashMap<>();
        ports(List.of(simple("a", "10.96.0.1")), slices).forEach(p -> removal.put(p.key(), null));
        reconciler.update(removal);
        assertThat(maps.forgottenServices).isEmpty();
        reconciler.sync(ports(List.of(simple("b", "10.96.0.2")), slices));
        assertThat(maps.forgottenServices).containsExactly(a);
        assertThat(maps.forgottenBackends).containsExactly(backendOfA);

        reconciler.sync(ports(List.of(simple("b", "10.96.0.2"), simple("c", "10.96.0.3")), slices));
        assertThat(idOf(maps, "ns/c:http")).as("a new service does not take the freed id").isNotEqualTo(a);
        assertThat(maps.backends.content).doesNotContainKey(backendOfA);
    }
}
