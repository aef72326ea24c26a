package dev.sluice.control.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** KubernetesSource.problems() and its log while the API server is away, on loopback only. */
class KubernetesSourceReachabilityTest {

    /** "Within seconds": the check runs every second and its first probe answers at once on loopback. */
    private static final Duration REPORTED_WITHIN = Duration.ofSeconds(5);
    /** fabric8 retries with backoff (up to 3.2 s per request, then 1 s, 2 s, ... per informer). */
    private static final Duration RECOVERED_WITHIN = Duration.ofSeconds(45);

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ApiServerReachability.class);
    private KubernetesClient client;
    private KubernetesSource source;
    private KubernetesMockServer server;

    @BeforeEach
    void captureLog() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.destroy();
        }
        logger.detachAppender(log);
    }

    @Test
    void anApiServerNothingListensForIsReportedWithinSeconds() throws IOException {
        int port = closedPort();
        SnapshotRecorder recorder = start(port);

        List<String> problems = await("a problem", REPORTED_WITHIN, source::problems, p -> !p.isEmpty());
        assertThat(problems).singleElement().asString()
                .startsWith("API server http://127.0.0.1:" + port + " unreachable since ")
                .endsWith(": ConnectException: Connection refused");
        assertThat(messages(Level.WARN)).singleElement().isEqualTo(problems.getFirst());

        // Minutes of retries would follow; in the next seconds they add no warning, only the problem stays.
        sleep(Duration.ofSeconds(3));
        assertThat(source.problems()).isEqualTo(problems);
        assertThat(messages(Level.WARN)).hasSize(1);
        assertThat(recorder.count()).isZero();
    }

    @Test
    void theProblemClearsOnceTheApiServerAnswers() throws IOException {
        int port = closedPort();
        SnapshotRecorder recorder = start(port);
        await("a problem", REPORTED_WITHIN, source::problems, p -> !p.isEmpty());

        startApiServer(port);
        ClusterSnapshot first = recorder.await("the first snapshot", s -> s.services().size() == 1);
        assertThat(first.problems()).isEmpty();
        await("no problem", RECOVERED_WITHIN, source::problems, List::isEmpty);
        assertThat(messages(Level.INFO)).singleElement().asString()
                .startsWith("API server http://127.0.0.1:" + port + " reached again after ").endsWith(" s: every informer watches");
        assertThat(messages(Level.WARN)).hasSize(1);
    }

    @Test
    void anApiServerLostAfterTheFirstSyncIsReportedAndItsReturnClearsIt() throws IOException {
        int port = closedPort();
        startApiServer(port);
        SnapshotRecorder recorder = start(port);
        recorder.await("the first snapshot", s -> s.services().size() == 1);

        server.destroy();
        server = null;
        List<String> problems = await("a problem", REPORTED_WITHIN, source::problems, p -> !p.isEmpty());
        assertThat(problems).singleElement().asString()
                .startsWith("API server http://127.0.0.1:" + port + " unreachable since ")
                .endsWith(": ConnectException: Connection refused");

        startApiServer(port);
        await("no problem", RECOVERED_WITHIN, source::problems, List::isEmpty);
        assertThat(messages(Level.INFO)).singleElement().asString().contains("reached again");
        assertThat(recorder.overlapped).isFalse();
    }

    private SnapshotRecorder start(int port) {
        // Config.empty(): no kubeconfig, token or proxy from this machine.
        client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + port).build()).build();
        SnapshotRecorder recorder = new SnapshotRecorder();
        source = new KubernetesSource(client, "node-a", Duration.ofMillis(20));
        source.start(recorder);
        return recorder;
    }

    private void startApiServer(int port) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        try (KubernetesClient admin = server.createClient()) {
            admin.resource(new ServiceBuilder().withNewMetadata().withNamespace("ns").withName("web").endMetadata()
                    .withNewSpec().withClusterIP("10.96.0.10").addNewPort().withPort(80).endPort().endSpec().build()).create();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private List<String> messages(Level level) {
        synchronized (log) { // ListAppender appends under the appender's lock
            return log.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private static <T> T await(String what, Duration within, Supplier<T> value, Predicate<T> condition) {
        long deadline = System.nanoTime() + within.toNanos();
        T last;
        do {
            last = value.get();
            if (condition.test(last)) {
                return last;
            }
            sleep(Duration.ofMillis(50));
        } while (System.nanoTime() < deadline);
        return fail("no " + what + " within " + within + "; last: " + last);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }
}
