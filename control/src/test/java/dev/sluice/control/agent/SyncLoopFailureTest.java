package dev.sluice.control.agent;

import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.model.Fixtures;
import dev.sluice.control.observe.AgentMetrics;
import dev.sluice.control.observe.ProxyHealth;
import dev.sluice.control.observe.ServiceHealthServers;
import dev.sluice.control.source.ClusterSnapshot;
import dev.sluice.control.sync.InMemoryServiceMaps;
import dev.sluice.control.sync.Reconciler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sync loop with maps that fail, no kernel: a table that cannot be written is reported in
 * /statusz and, once failing for the health timeout, by /healthz; the loop retries on its own and
 * the report clears when a retry succeeds. Other write paths (the conntrack sweeper) report the same way.
 */
class SyncLoopFailureTest {
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private static ClusterSnapshot cluster() {
        return new ClusterSnapshot(
                List.of(service("web", "10.96.0.2").editSpec().withType("NodePort")
                        .withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build()),
                List.of(slice("web", ready("10.244.1.2", "node-b"), ready("10.244.0.3", "node-a"))), null);
    }

    private SyncLoop loop(InMemoryServiceMaps maps, ProxyHealth health, List<WritePath> others) {
        return new SyncLoop(node -> Fixtures.NODE, Reconciler.adopt(maps, 251, 0), maps, new AgentMetrics(registry), health,
                new ServiceHealthServers(List.of(java.net.InetAddress.getLoopbackAddress()), () -> true, registry), Clock.systemUTC(), "node-a", "test",
                AgentEvents.NONE, scheduler, others);
    }

    @Test
    void aTableThatKeepsFailingIsReportedTurnsHealthRedAndIsRetriedUntilWritten() throws Exception {
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        maps.failEveryWriteTo("svc_maglev");
        ProxyHealth health = new ProxyHealth(HEALTH_TIMEOUT);
        SyncLoop loop = loop(maps, health, List.of());

        loop.onSnapshot(cluster());

        assertThat(loop.status().problems()).anySatisfy(p -> assertThat(p).startsWith("cannot program table of service"));
        assertThat(registry.get("sluice.sync.errors").tag("reason", "map_update").counter().count()).isPositive();
        java.time.Instant now = java.time.Instant.now();
        assertThat(health.isHealthy(now)).as("failing for less than the timeout").isTrue();
        assertThat(health.isHealthy(now.plus(HEALTH_TIMEOUT))).as("failing for the timeout").isFalse();
        assertThat(health.snapshot(now).notProgrammed()).anySatisfy(p -> assertThat(p).contains("table of service"));

        maps.heal();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!loop.status().problems().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(loop.status().problems()).as("the loop's own retry wrote the table").isEmpty();
        assertThat(maps.tableIds()).hasSize(1);
        assertThat(health.isHealthy(java.time.Instant.now().plus(HEALTH_TIMEOUT))).isTrue();
        assertThat(health.snapshot(java.time.Instant.now()).notProgrammed()).isEmpty();
    }

    @Test
    void anotherWritePathsFailureIsReportedWithTheReconcilersAndClearsWithIt() {
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        ProxyHealth health = new ProxyHealth(HEALTH_TIMEOUT);
        AtomicReference<List<String>> sweeper = new AtomicReference<>(List.of("cannot sweep ct_entries: injected"));
        SyncLoop loop = loop(maps, health, List.of(sweeper::get));

        loop.onSnapshot(cluster());
        assertThat(loop.status().problems()).containsExactly("cannot sweep ct_entries: injected");
        assertThat(health.isHealthy(java.time.Instant.now().plus(HEALTH_TIMEOUT))).isFalse();

        sweeper.set(List.of());
        loop.resync();
        assertThat(loop.status().problems()).isEmpty();
        assertThat(health.isHealthy(java.time.Instant.now().plus(HEALTH_TIMEOUT))).isTrue();
    }
}
