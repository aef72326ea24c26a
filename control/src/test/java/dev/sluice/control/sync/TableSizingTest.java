package dev.sluice.control.sync;

import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.maglev.TableSizes;
import dev.sluice.control.model.Fixtures;
import dev.sluice.control.model.ProxySemantics;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each table sized for its backends from the shared list; ClusterIP-only views get one slot per backend. */
class TableSizingTest {
    private static final List<EndpointSlice> THREE = List.of(
            slice("web", ready("10.244.1.1", "node-b"), ready("10.244.1.2", "node-b"), ready("10.244.0.3", "node-a")));

    private static ServiceValue programmed(Service service, int maxTable, List<String> warnings) {
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        SyncResult result = Reconciler.adopt(maps, maxTable, 0)
                .sync(ProxySemantics.compute(List.of(service), THREE, Fixtures.NODE).ports().values());
        warnings.addAll(result.warnings());
        assertThat(maps.services.content).hasSize(1);
        ServiceValue value = maps.services.content.values().iterator().next().withoutGeneration();
        int table = maps.tables.values().iterator().next().length;
        assertThat(table).as("the table the service names").isEqualTo(value.maglevSize());
        return value;
    }

    private static Service nodePortWeb() {
        return service("web", "10.96.0.2").editSpec().withType("NodePort").withPorts(nodePort("http", 80, "TCP", 30080))
                .endSpec().build();
    }

    @Test
    void sizesComeFromTheSharedListAtAHundredSlotsPerBackendUpToTheCeiling() {
        assertThat(TableSizes.forBackends(1, 16381)).isEqualTo(251);
        assertThat(TableSizes.forBackends(3, 16381)).isEqualTo(509);
        assertThat(TableSizes.forBackends(10, 16381)).isEqualTo(1021);
        assertThat(TableSizes.forBackends(100, 16381)).isEqualTo(16381);
        assertThat(TableSizes.forBackends(1000, 16381)).isEqualTo(16381);
        assertThat(TableSizes.forBackends(1000, 131071)).isEqualTo(131071);
        assertThat(TableSizes.balanced(163, 16381)).isTrue();
        assertThat(TableSizes.balanced(164, 16381)).isFalse();
    }

    @Test
    void aNodePortServiceGetsAMaglevTableForItsBackendsAndAWarningWhenTheCeilingCannotBalanceThem() {
        List<String> warnings = new java.util.ArrayList<>();
        assertThat(programmed(nodePortWeb(), 16381, warnings)).isEqualTo(new ServiceValue(0, 0, 509, 3));
        assertThat(warnings).isEmpty();

        assertThat(programmed(nodePortWeb(), 251, warnings)).isEqualTo(new ServiceValue(0, 0, 251, 3));
        assertThat(warnings).singleElement().asString().contains("ns/web:http").contains("3 endpoints")
                .contains("cannot balance them within 1%");
    }

    @Test
    void aClusterIpServiceGetsOneSlotPerBackendPickedAtRandom() {
        List<String> warnings = new java.util.ArrayList<>();
        ServiceValue value = programmed(simple("web", "10.96.0.2"), 251, warnings);
        assertThat(value).isEqualTo(new ServiceValue(ServiceValue.F_RANDOM, 0, 3, 3));
        assertThat(warnings).isEmpty();
    }
}
