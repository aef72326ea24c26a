package dev.sluice.control.agent;

import static dev.sluice.control.agent.AgentStandaloneTest.documents;
import static dev.sluice.control.agent.AgentStandaloneTest.node;
import static dev.sluice.control.agent.AgentStandaloneTest.service;
import static dev.sluice.control.agent.AgentStandaloneTest.slice;
import static dev.sluice.control.agent.Cluster.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.DatapathConfig;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.PrivateBpffs;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stopped agent leaves its datapath pinned and programmed; the next one on the same root adopts
 * it, keeps service ids, removes nothing before its first sync and what is gone after it.
 */
@KernelTest
class AgentRestartTest {
    @TempDir
    Path dir;
    private PrivateBpffs bpffs;

    @BeforeEach
    void mount() {
        bpffs = PrivateBpffs.mount();
    }

    @AfterEach
    void unmount() {
        bpffs.close();
    }

    @Test
    void aSecondAgentOnTheSameRootRefusesToStartAndChangesNothing() throws Exception {
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, documents(node(),
                service("web", "10.96.0.10", 30080), slice("web", "10.244.1.5", "10.244.1.6")));
        PinnedMaps maps = PinnedMaps.under(bpffs.root());
        try (AgentRun first = AgentRun.standalone(manifest, bpffs.root(), "--maglev-table-size", "251",
                "--reply-rate-limit", "250").awaitReady()) {
            Map<FrontendKey, FrontendValue> frontends = maps.frontends();
            Map<Integer, ServiceValue> services = maps.services();
            Path otherManifest = dir.resolve("other.yaml");
            Files.writeString(otherManifest, documents(node(), service("api", "10.96.0.20", 30081),
                    slice("api", "10.244.2.1")));

            try (AgentRun second = AgentRun.standalone(otherManifest, bpffs.root(), "--maglev-table-size", "251")) {
                assertThat(second.awaitExit(Duration.ofSeconds(30))).isEqualTo(SluiceAgent.EXIT_ANOTHER_AGENT);
            }
            assertThat(maps.frontends()).isEqualTo(frontends);
            assertThat(maps.services()).isEqualTo(services);
            first.assertRunning();
            assertThat(first.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(first.stop()).isZero();
        }
        // The lock goes with its holder: the next agent starts.
        try (AgentRun next = AgentRun.standalone(manifest, bpffs.root(), "--maglev-table-size", "251").awaitReady()) {
            assertThat(next.stop()).isZero();
        }
    }

    @Test
    void aRestartedAgentAdoptsThePinnedDatapath() throws Exception {
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, documents(node(),
                service("web", "10.96.0.10", 30080), slice("web", "10.244.1.5", "10.244.1.6"),
                service("api", "10.96.0.20", 30081), slice("api", "10.244.2.1"),
                service("old", "10.96.0.30", 30082), slice("old", "10.244.3.1")));
        PinnedMaps maps = PinnedMaps.under(bpffs.root());

        // The first agent programs three services, then stops.
        try (AgentRun first = AgentRun.standalone(manifest, bpffs.root(), "--maglev-table-size", "251",
                "--reply-rate-limit", "250").awaitReady()) {
            assertThat(maps.ids()).hasSize(3);
            assertThat(first.stop()).isZero();
        }
        for (String map : DatapathMaps.ALL) {
            assertThat(maps.pinned(map)).as(map + " pinned").isTrue();
        }
        Map<String, Integer> ids = maps.ids();
        Map<FrontendKey, FrontendValue> frontends = maps.frontends();
        Map<Integer, ServiceValue> services = maps.services();
        Map<Integer, BackendValue> backends = maps.backends();
        Map<Integer, Integer> tables = new HashMap<>();
        ids.values().forEach(id -> tables.put(id, maps.maglevTable(id).orElseThrow()));
        DatapathConfig config = maps.config().orElseThrow();
        assertThat(frontends).hasSize(6);
        assertThat(backends).hasSize(4);
        assertThat(config.nodeIpv4()).isEqualTo(ip("192.168.0.10"));
        assertThat(config.replyBudget()).as("--reply-rate-limit").isEqualTo(250);

        // An agent that never syncs (its API server is unreachable) changes nothing, and keeps
        // the node address SNAT uses.
        int nowhere = AgentRun.freePort();
        try (AgentRun blind = AgentRun.start(() -> new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + nowhere).withRequestRetryBackoffLimit(0).build()).build(),
                bpffs.root(), "--maglev-table-size", "251", "--reply-rate-limit", "250")) {
            AgentRun.await("the blind agent serving HTTP", Duration.ofSeconds(30), () -> blind.get("/readyz").statusCode() != 599);
            Thread.sleep(2000);
            blind.assertRunning();
            assertThat(blind.get("/readyz").statusCode()).isEqualTo(503);
            assertThat(maps.ids()).isEqualTo(ids);
            assertThat(maps.frontends()).isEqualTo(frontends);
            assertThat(maps.services()).isEqualTo(services);
            assertThat(maps.backends()).isEqualTo(backends);
            ids.values().forEach(id -> assertThat(maps.maglevTable(id)).contains(tables.get(id)));
            assertThat(maps.config()).contains(config);
        }

        // The next agent's manifest drops "old": after its first sync, old is gone, the others keep
        // their ids, frontends and backends.
        Files.writeString(manifest, documents(node(),
                service("web", "10.96.0.10", 30080), slice("web", "10.244.1.5", "10.244.1.6"),
                service("api", "10.96.0.20", 30081), slice("api", "10.244.2.1")));
        try (AgentRun second = AgentRun.standalone(manifest, bpffs.root(), "--maglev-table-size", "251").awaitReady()) {
            Map<String, Integer> after = maps.ids();
            assertThat(after).containsOnlyKeys("ns/web:http", "ns/api:http");
            assertThat(after.get("ns/web:http")).isEqualTo(ids.get("ns/web:http"));
            assertThat(after.get("ns/api:http")).isEqualTo(ids.get("ns/api:http"));
            int old = ids.get("ns/old:http");
            assertThat(maps.services()).doesNotContainKey(old);
            assertThat(maps.maglevTable(old)).isEmpty();
            Map<FrontendKey, FrontendValue> expected = new HashMap<>(frontends);
            expected.values().removeIf(value -> value.serviceId() == old);
            assertThat(expected).hasSize(4);
            assertThat(maps.frontends()).isEqualTo(expected);
            Map<Integer, BackendValue> expectedBackends = new HashMap<>(backends);
            expectedBackends.values().removeIf(b -> b.address().equals(ip("10.244.3.1")));
            assertThat(maps.backends()).isEqualTo(expectedBackends);
            assertThat(maps.services().get(after.get("ns/web:http"))).isEqualTo(services.get(ids.get("ns/web:http")));
            assertThat(second.stop()).isZero();
        }
    }

    @Test
    void anInterruptedAgentStopsAndLeavesItsMapsPinned() throws Exception {
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, documents(node(), service("web", "10.96.0.10", 30080), slice("web", "10.244.1.5")));
        PinnedMaps maps = PinnedMaps.under(bpffs.root());
        try (AgentRun agent = AgentRun.standalone(manifest, bpffs.root(), "--maglev-table-size", "251").awaitReady()) {
            agent.interrupt();
            AgentRun.await("the agent to exit", Duration.ofSeconds(30), () -> agent.get("/readyz").statusCode() == 599);
        }
        assertThat(maps.ids()).containsOnlyKeys("ns/web:http");
        assertThat(maps.frontends()).hasSize(2);
    }
}
