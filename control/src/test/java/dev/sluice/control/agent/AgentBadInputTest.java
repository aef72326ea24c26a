package dev.sluice.control.agent;

import static dev.sluice.control.agent.Cluster.ip;
import static dev.sluice.control.agent.Cluster.ready;
import static dev.sluice.control.agent.Cluster.slice;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.ffm.testing.KernelTest;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * What the API server (here a CRUD mock, which validates nothing) would never hold, and what it
 * would but is large: each costs only its own object, field or port; the rest is programmed.
 */
@KernelTest
@EnableKubernetesMockClient(crud = true)
class AgentBadInputTest extends AgentTest {
    private static final Duration FOLLOW = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    KubernetesClient client;

    private void startAgent(String... extra) {
        agent = AgentRun.start(() -> new KubernetesClientBuilder().withConfig(client.getConfiguration()).build(),
                bpffs.root(), extra).awaitReady();
    }

    private static List<Endpoint> many(int count, String nodeName) {
        List<Endpoint> endpoints = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            endpoints.add(ready("10.250." + (i / 250) + "." + (i % 250 + 1), nodeName));
        }
        return endpoints;
    }

    private List<String> problems() throws Exception {
        JsonNode status = JSON.readTree(agent.get("/statusz").body());
        return StreamSupport.stream(status.get("problems").spliterator(), false).map(JsonNode::asText).toList();
    }

    @Test
    void badServicesCostOnlyThemselvesAndTenThousandEndpointsAreProgrammed() throws Exception {
        Instant now = Instant.now();
        client.resource(Cluster.node()).create();
        client.resource(Cluster.clusterIp("web", "10.96.0.10").build()).create();
        client.resource(slice("web", now, List.of(ready("10.244.0.7", "node-a"), ready("10.244.1.5", "node-b")))).create();
        client.resource(Cluster.clusterIp("bad-ip", "10.96.0.300").build()).create();
        client.resource(slice("bad-ip", now, List.of(ready("10.244.1.7", "node-b")))).create();
        client.resource(Cluster.clusterIp("ports", "10.96.0.40").editSpec().withPorts(
                new ServicePortBuilder().withName("zero").withPort(0).withProtocol("TCP").build(),
                new ServicePortBuilder().withName("huge").withPort(65536).withProtocol("TCP").build(),
                new ServicePortBuilder().withName("odd").withPort(81).withProtocol("FOO").build(),
                new ServicePortBuilder().withName("good").withPort(82).withProtocol("TCP").build(),
                new ServicePortBuilder().withName("again").withPort(82).withProtocol("TCP").build()).endSpec().build()).create();
        client.resource(new EndpointSliceBuilder(slice("ports", now, List.of(ready("10.244.1.8", "node-b"))))
                .withPorts().addNewPort().withName("good").withPort(8082).withProtocol("TCP").endPort()
                .addNewPort().withName("again").withPort(8083).withProtocol("TCP").endPort().build()).create();
        client.resource(Cluster.clusterIp("big", "10.96.1.1").build()).create();
        EndpointSlice big = slice("big", now, many(10_000, "node-b"));
        client.resource(big).create();

        startAgent("--maglev-table-size", "16381");
        PinnedMaps maps = PinnedMaps.under(bpffs.root());
        AgentRun.await("web, ports:good and big", FOLLOW, () -> maps.ids().size() == 3);
        Map<String, Integer> ids = maps.ids();
        assertThat(ids).containsOnlyKeys("ns/web:http", "ns/ports:good", "ns/big:http");

        // The good parts, intact.
        assertThat(maps.frontends()).isEqualTo(Map.of(
                new FrontendKey(ip("10.96.0.10"), 80, 6), new FrontendValue(ids.get("ns/web:http"), FrontendValue.CLUSTER_IP),
                new FrontendKey(ip("10.96.0.40"), 82, 6), new FrontendValue(ids.get("ns/ports:good"), FrontendValue.CLUSTER_IP),
                new FrontendKey(ip("10.96.1.1"), 80, 6), new FrontendValue(ids.get("ns/big:http"), FrontendValue.CLUSTER_IP)));
        assertThat(maps.services().get(ids.get("ns/web:http")).withoutGeneration()).isEqualTo(new ServiceValue(ServiceValue.F_RANDOM, 0, 2, 2));
        assertThat(maps.services().get(ids.get("ns/ports:good")).withoutGeneration()).isEqualTo(new ServiceValue(ServiceValue.F_RANDOM, 0, 1, 1));
        assertThat(maps.services().get(ids.get("ns/big:http")).withoutGeneration()).isEqualTo(new ServiceValue(ServiceValue.F_RANDOM, 0, 10_000, 10_000));
        Map<Integer, BackendValue> backends = maps.backends();
        assertThat(backends).hasSize(10_000 + 2 + 1);
        assertThat(backends.values()).extracting(BackendValue::withoutGeneration).contains(new BackendValue(ip("10.250.39.250"), 8080, 0),
                new BackendValue(ip("10.244.1.8"), 8082, 0));
        assertThat(backends.values()).noneMatch(b -> b.address().equals(ip("10.244.1.7")));

        // Every bad part named by object and field.
        List<String> problems = problems();
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("Service ns/bad-ip: spec.clusterIP").contains("10.96.0.300"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("Service ns/ports: spec.ports[0].port: must be between 1 and 65535, got 0"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("Service ns/ports: spec.ports[1].port: must be between 1 and 65535, got 65536"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("Service ns/ports: spec.ports[2].protocol: unknown protocol \"FOO\""));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("Service ns/ports: spec.ports[4].port: duplicate port 82/TCP"));
        assertThat(problems).hasSize(5);
        assertThat(JSON.readTree(agent.get("/statusz").body()).get("backends").asLong()).isEqualTo(10_003);
        assertThat(agent.get("/healthz").statusCode()).isEqualTo(200);

        // The big slice loses one endpoint: one backend goes, the service keeps its id.
        int bigId = ids.get("ns/big:http");
        try {
            client.resource(slice("big", Instant.now(), many(9_999, "node-b"))).update();
        } catch (KubernetesClientException conflict) {
            // On a loaded machine the client may time out on this large PUT and retry it; the retry
            // then conflicts with its own first attempt, which did land.
            if (conflict.getCode() != 409 || client.discovery().v1().endpointSlices().inNamespace("ns")
                    .withName("big-abc").get().getEndpoints().size() != 9_999) {
                throw conflict;
            }
        }
        // The service row changes before the freed backend row is deleted (make before break): wait for both.
        AgentRun.await("big with 9999 endpoints and its freed backend deleted", FOLLOW,
                () -> maps.services().get(bigId).backendCount() == 9_999 && maps.backends().size() == 9_999 + 3);
        assertThat(maps.ids()).containsEntry("ns/big:http", bigId);
    }

    @Test
    void moreEndpointsThanMaglevSlotsDegradeThatServiceOnly() throws Exception {
        client.resource(Cluster.node()).create();
        client.resource(Cluster.clusterIp("web", "10.96.0.10").build()).create();
        client.resource(slice("web", Instant.now(), List.of(ready("10.244.0.7", "node-a")))).create();
        // A NodePort: only views reached from outside have Maglev tables; ClusterIP alone would pick at random.
        client.resource(Cluster.clusterIp("many", "10.96.0.50").editSpec().withType("NodePort")
                .withPorts(new io.fabric8.kubernetes.api.model.ServicePortBuilder().withName("http").withPort(80)
                        .withProtocol("TCP").withNodePort(30050).build()).endSpec().build()).create();
        client.resource(slice("many", Instant.now(), many(300, "node-b"))).create();

        startAgent("--maglev-table-size", "251");
        PinnedMaps maps = PinnedMaps.under(bpffs.root());
        AgentRun.await("web and many", FOLLOW, () -> maps.ids().size() == 2);
        Map<String, Integer> ids = maps.ids();
        assertThat(maps.services().get(ids.get("ns/web:http")).withoutGeneration()).isEqualTo(new ServiceValue(ServiceValue.F_RANDOM, 0, 1, 1));
        // A table of 251 slots holds 250 backends: the first 250 in Maglev id order, on every node.
        assertThat(maps.services().get(ids.get("ns/many:http")).withoutGeneration()).isEqualTo(new ServiceValue(0, 0, 251, 250));
        assertThat(maps.backends()).hasSize(251);
        assertThat(problems()).singleElement().asString()
                .contains("ns/many:http").contains("300 endpoints").contains("251 slots");
    }
}
