package dev.sluice.lab;

import static dev.sluice.lab.Manifest.endpointPort;
import static dev.sluice.lab.Manifest.port;
import static dev.sluice.lab.Manifest.service;
import static dev.sluice.lab.Manifest.slice;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** sig-network "should have session affinity work for NodePort service" and "... timeout work". */
class SessionAffinityTest extends LabTest {
    private static final int NODE_PORT = 30110;
    private static final int TIMEOUT_SECONDS = 2;
    private static final String NODE_A = LabTopology.NODE_ADDRESSES.get("node-a");

    @Override
    protected List<HasMetadata> manifest(List<Pod> pods) {
        return List.of(
                service("sticky", "NodePort", "198.18.100.50", port("http", 80, "TCP", Backends.HTTP_PORT, NODE_PORT))
                        .editSpec().withSessionAffinity("ClientIP").withNewSessionAffinityConfig().withNewClientIP()
                        .withTimeoutSeconds(TIMEOUT_SECONDS).endClientIP().endSessionAffinityConfig().endSpec().build(),
                slice("sticky", pods, endpointPort("http", Backends.HTTP_PORT, "TCP")));
    }

    @Test
    void oneClientSticksToOnePodUntilItsAffinityExpires() throws Exception {
        Set<String> pods = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            pods.add(Answer.parse(lab.client().http(NODE_A, NODE_PORT)).pod());
        }
        assertThat(pods).as("pods one client reached over 30 connections").hasSize(1);

        JsonNode entry = clientEntry();
        assertThat(entry.get("timeoutSeconds").asInt()).isEqualTo(TIMEOUT_SECONDS);
        assertThat(entry.get("expired").asBoolean()).isFalse();
        assertThat(entry.get("backend").get("address").asText())
                .isEqualTo(lab.pods().stream().filter(pod -> pods.contains(pod.name())).findFirst().orElseThrow().address());

        Thread.sleep(Duration.ofSeconds(TIMEOUT_SECONDS).plusMillis(500));
        assertThat(clientEntry().get("expired").asBoolean()).as("affinity entry after %s s idle", TIMEOUT_SECONDS + 0.5)
                .isTrue();
    }

    /** node-a's affinity entry for the client, through the CLI as an operator reads it. */
    private JsonNode clientEntry() {
        JsonNode entries = Cli.json(lab.topology().bpffsRoot("node-a"), "affinity", "--service", "default/sticky");
        List<JsonNode> mine = new ArrayList<>();
        entries.forEach(e -> {
            if (e.get("client").asText().equals(LabTopology.CLIENT_ADDRESS)) {
                mine.add(e);
            }
        });
        assertThat(mine).as("affinity entries of the client in %s", entries).hasSize(1);
        return mine.getFirst();
    }
}
