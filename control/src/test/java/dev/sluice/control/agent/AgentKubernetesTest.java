package dev.sluice.control.agent;

import static dev.sluice.control.agent.Cluster.ip;
import static dev.sluice.control.agent.Cluster.ready;
import static dev.sluice.control.agent.Cluster.slice;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.ffm.testing.KernelTest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The real agent against fabric8's mock API server in CRUD mode: objects in, pinned maps and HTTP
 * endpoints out, following creates, updates and deletes.
 */
@KernelTest
@EnableKubernetesMockClient(crud = true)
class AgentKubernetesTest extends AgentTest {
    private static final Duration FOLLOW = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    KubernetesClient client;

    /** A client of the agent's own, on the mock's configuration; the agent closes it. */
    private KubernetesClient agentClient() {
        return new KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
    }

    private AgentRun startAgent(String... extra) {
        agent = AgentRun.start(this::agentClient, bpffs.root(), extra);
        return agent.awaitReady();
    }

    @Test
    void programsServicesFollowsChangesAndReportsOnIt() throws Exception {
        int healthCheckPort = AgentRun.freePort();
        Instant before = Instant.now();
        client.resource(Cluster.node()).create();
        client.resource(Cluster.clusterIp("web", "10.96.0.10").build()).create();
        client.resource(slice("web", before, List.of(ready("10.244.0.7", "node-a"), ready("10.244.1.5", "node-b")))).create();
        client.resource(Cluster.localLoadBalancer("shop", "10.96.0.20", healthCheckPort).build()).create();
        client.resource(slice("shop", before, List.of(ready("10.244.0.8", "node-a"), ready("10.244.1.6", "node-b")))).create();
        client.resource(Cluster.clusterIp("api", "10.96.0.30").build()).create();
        client.resource(slice("api", before, List.of(ready("10.244.1.9", "node-b")))).create();

        startAgent("--maglev-table-size", "251");
        PinnedMaps maps = PinnedMaps.under(bpffs.root());
        AgentRun.await("all three services", FOLLOW, () -> maps.ids().size() == 4);

        // Names: one view per service port, two for the Local one (cluster view for its ClusterIP).
        Map<String, Integer> ids = maps.ids();
        assertThat(ids).containsOnlyKeys("ns/web:http", "ns/api:http", "ns/shop:http", "ns/shop:http (local)");
        int web = ids.get("ns/web:http");
        int shopCluster = ids.get("ns/shop:http");
        int shopLocal = ids.get("ns/shop:http (local)");
        int api = ids.get("ns/api:http");
        assertThat(maps.names().get(shopLocal)).isEqualTo(new ServiceName("ns", "shop", "http", ServiceName.SCOPE_LOCAL, 4, 6));

        // Frontends: ClusterIPs to cluster views, the NodePort on the Node's InternalIP to the local view.
        assertThat(maps.frontends()).isEqualTo(Map.of(
                new FrontendKey(ip("10.96.0.10"), 80, 6), new FrontendValue(web, FrontendValue.CLUSTER_IP),
                new FrontendKey(ip("10.96.0.20"), 80, 6), new FrontendValue(shopCluster, FrontendValue.CLUSTER_IP),
                new FrontendKey(ip(Cluster.NODE_IP), 30080, 6), new FrontendValue(shopLocal, FrontendValue.NODE_PORT),
                new FrontendKey(ip("10.96.0.30"), 80, 6), new FrontendValue(api, FrontendValue.CLUSTER_IP)));

        // Services: a view reached by its ClusterIP alone picks at random from one slot per backend; the
        // NodePort's Local view gets a Maglev table over the local endpoint only.
        Map<Integer, ServiceValue> services = maps.services();
        assertThat(services.get(web).withoutGeneration()).isEqualTo(new ServiceValue(ServiceValue.F_RANDOM, 0, 2, 2));
        assertThat(services.get(shopCluster).withoutGeneration()).isEqualTo(new ServiceValue(ServiceValue.F_RANDOM, 0, 2, 2));
        assertThat(services.get(shopLocal).withoutGeneration()).isEqualTo(
                new ServiceValue(ServiceValue.F_NO_SNAT | ServiceValue.F_DROP_EMPTY, 0, 251, 1));
        assertThat(services.get(api).withoutGeneration()).isEqualTo(new ServiceValue(ServiceValue.F_RANDOM, 0, 1, 1));
        assertThat(maps.maglevTable(web)).isPresent();

        assertThat(maps.backends().values()).extracting(BackendValue::withoutGeneration).containsExactlyInAnyOrder(
                new BackendValue(ip("10.244.0.7"), 8080, BackendValue.F_LOCAL),
                new BackendValue(ip("10.244.1.5"), 8080, 0),
                new BackendValue(ip("10.244.0.8"), 8080, BackendValue.F_LOCAL),
                new BackendValue(ip("10.244.1.6"), 8080, 0),
                new BackendValue(ip("10.244.1.9"), 8080, 0));
        assertThat(maps.config().orElseThrow().nodeIpv4()).isEqualTo(ip(Cluster.NODE_IP));

        // Health endpoints: kube-proxy's /healthz JSON, readiness, status.
        HttpResponse<String> healthz = agent.get("/healthz");
        assertThat(healthz.statusCode()).isEqualTo(200);
        assertThat(healthz.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode health = JSON.readTree(healthz.body());
        assertThat(health.fieldNames()).toIterable().containsExactly("lastUpdated", "currentTime", "nodeEligible", "healthy");
        assertThat(health.get("healthy").asBoolean()).isTrue();
        assertThat(health.get("nodeEligible").asBoolean()).isTrue();
        assertThat(agent.get("/livez").statusCode()).isEqualTo(200);
        assertThat(agent.get("/readyz").body()).isEqualTo("ok\n");
        JsonNode status = JSON.readTree(agent.get("/statusz").body());
        assertThat(status.get("nodeName").asText()).isEqualTo("node-a");
        assertThat(status.get("source").asText()).isEqualTo("kubernetes");
        assertThat(status.get("firstSyncDone").asBoolean()).isTrue();
        assertThat(status.get("services").asLong()).isEqualTo(4);
        assertThat(status.get("backends").asLong()).isEqualTo(5);
        assertThat(status.get("problems")).isEmpty();

        // The health-check node port of the Local service: 200 with a local endpoint.
        HttpResponse<String> check = AgentRun.get(healthCheckPort, "/");
        assertThat(check.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(check.body()).get("localEndpoints").asInt()).isEqualTo(1);
        assertThat(check.headers().firstValue("X-Load-Balancing-Endpoint-Weight")).contains("1");

        // An EndpointSlice update: web gains a backend, its table is swapped, its id stays.
        int webTable = maps.maglevTable(web).orElseThrow();
        client.resource(slice("web", Instant.now(), List.of(ready("10.244.0.7", "node-a"),
                ready("10.244.1.5", "node-b"), ready("10.244.2.3", "node-c")))).update();
        AgentRun.await("web's third backend", FOLLOW, () -> maps.services().get(web).backendCount() == 3);
        assertThat(maps.ids().get("ns/web:http")).isEqualTo(web);
        assertThat(maps.maglevTable(web)).isPresent().get().isNotEqualTo(webTable);
        assertThat(maps.backends().values()).extracting(BackendValue::withoutGeneration).contains(new BackendValue(ip("10.244.2.3"), 8080, 0));

        // The local endpoint of shop goes: its Local view empties, its health check turns 503.
        client.resource(slice("shop", Instant.now(), List.of(ready("10.244.1.6", "node-b")))).update();
        AgentRun.await("shop without local endpoints", FOLLOW, () -> maps.services().get(shopLocal).backendCount() == 0);
        ServiceValue emptyLocal = maps.services().get(shopLocal);
        assertThat(emptyLocal.maglevSize()).isZero();
        assertThat(emptyLocal.flags()).isEqualTo(ServiceValue.F_NO_SNAT | ServiceValue.F_DROP_EMPTY);
        // The service stops naming its table before the table goes, and a backend goes only after
        // the tables that named it: await, not assert.
        AgentRun.await("the local view's table removed", FOLLOW, () -> maps.maglevTable(shopLocal).isEmpty());
        AgentRun.await("the local backend of shop removed", FOLLOW, () -> !maps.backends().values().stream()
                .map(BackendValue::withoutGeneration).toList().contains(new BackendValue(ip("10.244.0.8"), 8080, BackendValue.F_LOCAL)));
        AgentRun.await("the health check to fail", FOLLOW, () -> AgentRun.get(healthCheckPort, "/").statusCode() == 503);
        assertThat(JSON.readTree(AgentRun.get(healthCheckPort, "/healthz").body()).get("localEndpoints").asInt()).isZero();

        // A Service deleted: its entries go, the others stay as they were.
        Map<FrontendKey, FrontendValue> frontendsBefore = maps.frontends();
        client.resource(Cluster.clusterIp("api", "10.96.0.30").build()).delete();
        AgentRun.await("api gone", FOLLOW, () -> !maps.ids().containsKey("ns/api:http"));
        assertThat(maps.services()).doesNotContainKey(api);
        assertThat(maps.maglevTable(api)).isEmpty();
        Map<FrontendKey, FrontendValue> frontendsAfter = maps.frontends();
        assertThat(frontendsAfter).doesNotContainKey(new FrontendKey(ip("10.96.0.30"), 80, 6)).hasSize(3);
        frontendsAfter.forEach((key, value) -> assertThat(frontendsBefore).containsEntry(key, value));
        assertThat(maps.backends().values()).extracting(BackendValue::withoutGeneration).doesNotContain(new BackendValue(ip("10.244.1.9"), 8080, 0));
        assertThat(maps.ids()).containsEntry("ns/web:http", web).containsEntry("ns/shop:http (local)", shopLocal);

        // Metrics: sync and programming latency histograms, gauges, map occupancy.
        AgentRun.await("the gauges after the delete", FOLLOW, () -> sample(agent.get("/metrics").body(), "sluice_services") == 3);
        String metrics = agent.get("/metrics").body();
        assertThat(sample(metrics, "sluice_sync_duration_seconds_count")).isGreaterThanOrEqualTo(4);
        // Only the two slice updates made after the agent started are measured, not the slices it found.
        assertThat(sample(metrics, "sluice_network_programming_duration_seconds_count")).isEqualTo(2);
        assertThat(sample(metrics, "sluice_backends")).isEqualTo(4);
        assertThat(sample(metrics, "sluice_bpf_map_entries{map=\"svc_frontends\"}")).isEqualTo(3);
        assertThat(sample(metrics, "sluice_bpf_map_entries{map=\"svc_services\"}")).isEqualTo(3);
        assertThat(sample(metrics, "sluice_bpf_map_entries{map=\"svc_backends\"}")).isEqualTo(4);
        assertThat(sample(metrics, "sluice_bpf_map_capacity{map=\"svc_backends\"}")).isEqualTo(32768);
        assertThat(sample(metrics, "sluice_bpf_map_capacity{map=\"svc_frontends\"}"))
                .isEqualTo(maps.capacity(DatapathMaps.FRONTENDS)).isEqualTo(4096);
        assertThat(sample(metrics, "sluice_last_sync_timestamp_seconds")).isGreaterThan(before.getEpochSecond());
        assertThat(sample(metrics, "sluice_service_healthchecks")).isEqualTo(1);

        // Deleting the Local service closes its health-check port.
        client.resource(Cluster.localLoadBalancer("shop", "10.96.0.20", healthCheckPort).build()).delete();
        AgentRun.await("the health check port closed", FOLLOW, () -> AgentRun.get(healthCheckPort, "/").statusCode() == 599);
        assertThat(maps.ids()).containsOnlyKeys("ns/web:http");
    }

    @Test
    void aNodeWithoutAddressesGetsNoNodePortsUntilItHasSome() {
        int healthCheckPort = AgentRun.freePort();
        client.resource(Cluster.localLoadBalancer("shop", "10.96.0.20", healthCheckPort).build()).create();
        client.resource(slice("shop", Instant.now(), List.of(ready("10.244.0.8", "node-a")))).create();
        startAgent("--maglev-table-size", "251");
        PinnedMaps maps = PinnedMaps.under(bpffs.root());
        AgentRun.await("shop", FOLLOW, () -> maps.ids().size() == 1);
        // No Node object yet: no address to serve the NodePort on, so only the ClusterIP and its
        // cluster view exist, and SNAT has no node address.
        assertThat(maps.ids()).containsOnlyKeys("ns/shop:http");
        assertThat(maps.frontends().keySet()).containsExactly(new FrontendKey(ip("10.96.0.20"), 80, 6));
        assertThat(maps.config().orElseThrow().nodeIpv4()).isNull();

        client.resource(Cluster.node()).create();
        AgentRun.await("the NodePort frontend", FOLLOW,
                () -> maps.frontends().containsKey(new FrontendKey(ip(Cluster.NODE_IP), 30080, 6)));
        int local = maps.ids().get("ns/shop:http (local)");
        assertThat(maps.frontends().get(new FrontendKey(ip(Cluster.NODE_IP), 30080, 6)).serviceId()).isEqualTo(local);
        assertThat(maps.services().get(local).backendCount()).isEqualTo(1);
        assertThat(maps.config().orElseThrow().nodeIpv4()).isEqualTo(ip(Cluster.NODE_IP));
    }

    /** The value of one sample line of a Prometheus text exposition, -1 when absent. */
    static double sample(String exposition, String series) {
        Matcher line = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        return line.find() ? Double.parseDouble(line.group(1)) : -1;
    }
}
