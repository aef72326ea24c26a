package dev.sluice.lab;

import static dev.sluice.lab.Manifest.endpointPort;
import static dev.sluice.lab.Manifest.port;
import static dev.sluice.lab.Manifest.service;
import static dev.sluice.lab.Manifest.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The datapath outlives its agent: kill -9 and a restart under load lose nothing. */
class AgentRestartTest extends LabTest {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRestartTest.class);
    private static final int NODE_PORT = 30140;
    private static final String NODE_A = LabTopology.NODE_ADDRESSES.get("node-a");

    @Override
    protected List<HasMetadata> manifest(List<Pod> pods) {
        return List.of(
                service("web", "NodePort", "198.18.100.80", port("http", 80, "TCP", Backends.HTTP_PORT, NODE_PORT)).build(),
                slice("web", pods, endpointPort("http", Backends.HTTP_PORT, "TCP")));
    }

    @Test
    void killingAndRestartingAnAgentUnderLoadFailsNoConnection() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicInteger streamed = new AtomicInteger();
        AtomicInteger connected = new AtomicInteger();
        Set<String> streamPods = ConcurrentHashMap.newKeySet();
        Set<String> connectionPods = ConcurrentHashMap.newKeySet();

        KeepAliveConnection stream = KeepAliveConnection.open(lab.client().namespace(), NODE_A, NODE_PORT);
        Thread streamer = Thread.ofPlatform().name("stream").start(() -> {
            while (running.get()) {
                try {
                    streamPods.add(Answer.parse(stream.get()).pod());
                    streamed.incrementAndGet();
                    Thread.sleep(5);
                } catch (RuntimeException | InterruptedException e) {
                    failures.add(e);
                    return;
                }
            }
        });
        Thread connector = Thread.ofPlatform().name("connections").start(() -> {
            while (running.get()) {
                try {
                    connectionPods.add(Answer.parse(lab.client().http(NODE_A, NODE_PORT)).pod());
                    connected.incrementAndGet();
                } catch (RuntimeException e) {
                    failures.add(Failures.cause(e));
                }
            }
        });
        try {
            Thread.sleep(Duration.ofSeconds(1));
            LabAgent agent = lab.agents().get("node-a");
            agent.kill();
            int streamedAtKill = streamed.get();
            int connectedAtKill = connected.get();
            Thread.sleep(Duration.ofSeconds(1));
            agent.start(Duration.ofSeconds(60));
            Thread.sleep(Duration.ofSeconds(1));
            LOG.info("during the restart: {} requests on the stream, {} new connections", streamed.get() - streamedAtKill,
                    connected.get() - connectedAtKill);
            assertThat(streamed.get()).as("requests on the stream after the kill").isGreaterThan(streamedAtKill + 50);
            assertThat(connected.get()).as("new connections after the kill").isGreaterThan(connectedAtKill + 20);
        } finally {
            running.set(false);
            streamer.join();
            connector.join();
            stream.close();
        }
        assertThat(failures).isEmpty();
        assertThat(streamPods).as("backends of the one streaming connection").hasSize(1);
        assertThat(connectionPods).hasSize(lab.pods().size());
        // The second agent took over the attachment rather than attaching anew (pins are named by XDP mode; the lab runs native).
        assertThat(Files.readString(lab.agents().get("node-a").log()))
                .contains("adopted pinned link " + lab.topology().bpffsRoot("node-a").resolve("links/xdp-native-eth0"));
    }
}
