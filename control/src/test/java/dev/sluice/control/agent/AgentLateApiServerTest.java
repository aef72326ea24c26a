package dev.sluice.control.agent;

import static dev.sluice.control.agent.Cluster.ready;
import static dev.sluice.control.agent.Cluster.slice;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.PrivateBpffs;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** An agent that starts before its API server is reachable says so at once, and syncs once it is. */
@KernelTest
class AgentLateApiServerTest {

    @Test
    void theUnreachableApiServerIsReportedAndTheFirstListRetriedUntilItAnswers() throws Exception {
        int port = AgentRun.freePort();
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + port)
                .withRequestRetryBackoffInterval(200).build();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        try (PrivateBpffs bpffs = PrivateBpffs.mount();
             AgentRun agent = AgentRun.start(() -> new KubernetesClientBuilder().withConfig(config).build(),
                     bpffs.root(), "--maglev-table-size", "251")) {
            AgentRun.await("the agent serving HTTP", Duration.ofSeconds(30), () -> agent.get("/readyz").statusCode() != 599);
            // Said within seconds, long before fabric8's own retries of the first list give up.
            AgentRun.await("the unreachable API server in /statusz", Duration.ofSeconds(5), () -> !problems(agent).isEmpty());
            assertThat(problems(agent)).singleElement().asString()
                    .startsWith("API server http://127.0.0.1:" + port + " unreachable since ")
                    .endsWith(": ConnectException: Connection refused");
            agent.assertRunning();
            assertThat(agent.get("/readyz").statusCode()).isEqualTo(503);
            assertThat(agent.get("/healthz").statusCode()).isEqualTo(200); // starting up is healthy, as kube-proxy

            server.init(InetAddress.getLoopbackAddress(), port);
            try (KubernetesClient client = server.createClient()) {
                client.resource(Cluster.node()).create();
                client.resource(Cluster.clusterIp("web", "10.96.0.10").build()).create();
                client.resource(slice("web", Instant.now(), List.of(ready("10.244.1.5", "node-b")))).create();
                agent.awaitReady();
                PinnedMaps maps = PinnedMaps.under(bpffs.root());
                AgentRun.await("web programmed", Duration.ofSeconds(20), () -> maps.ids().containsKey("ns/web:http"));
                AgentRun.await("no problem in /statusz", Duration.ofSeconds(45), () -> problems(agent).isEmpty());
            }
        } finally {
            server.destroy();
        }
    }

    private static List<String> problems(AgentRun agent) {
        try {
            JsonNode status = new ObjectMapper().readTree(agent.get("/statusz").body());
            return StreamSupport.stream(status.get("problems").spliterator(), false).map(JsonNode::asText).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
