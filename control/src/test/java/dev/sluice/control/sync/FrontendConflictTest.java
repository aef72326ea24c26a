package dev.sluice.control.sync;

import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.model.Fixtures;
import dev.sluice.control.model.ProxySemantics;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two Services that claim one nodePort: the older keeps it, the newer is refused it, by name. */
class FrontendConflictTest {
    private static Service nodePortService(String name, String clusterIp, String created) {
        return service(name, clusterIp).editMetadata().withCreationTimestamp(created).endMetadata()
                .editSpec().withType("NodePort").withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build();
    }

    private static final Service OLD = nodePortService("old", "10.96.0.1", "2026-01-01T00:00:00Z");
    // Named to sort first: the creation time decides, not the name.
    private static final Service NEW = nodePortService("aaa-new", "10.96.0.2", "2026-06-01T00:00:00Z");

    @Test
    void theOlderServiceKeepsTheNodePortAndTheNewerGetsItWhenTheOlderGoes() {
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        Reconciler reconciler = Reconciler.adopt(maps, 251, 0);
        List<EndpointSlice> slices = List.of(slice("old", ready("10.244.1.1", "node-b")),
                slice("aaa-new", ready("10.244.1.2", "node-b")));

        SyncResult both = reconciler.sync(ProxySemantics.compute(List.of(NEW, OLD), slices, Fixtures.NODE).ports().values());

        RenderedMaps rendered = RenderedMaps.of(maps);
        assertThat(rendered.frontends()).containsEntry("192.168.0.10:30080/6", "kind 2 -> ns/old:http v4")
                .containsEntry("10.96.0.2:80/6", "kind 1 -> ns/aaa-new:http v4");
        // One conflict per IPv4 node address (192.168.0.10 and .11) the nodePort is served on.
        assertThat(both.conflicts()).hasSize(2).allSatisfy(conflict ->
                assertThat(conflict).matches("frontend 192\\.168\\.0\\.1[01]:30080/TCP refused to Service ns/aaa-new "
                        + "\\(port http, IPv4\\): the older Service ns/old has it"));

        SyncResult alone = reconciler.sync(ProxySemantics.compute(List.of(NEW), slices, Fixtures.NODE).ports().values());

        assertThat(alone.conflicts()).isEmpty();
        assertThat(RenderedMaps.of(maps).frontends()).containsEntry("192.168.0.10:30080/6", "kind 2 -> ns/aaa-new:http v4");
    }
}
