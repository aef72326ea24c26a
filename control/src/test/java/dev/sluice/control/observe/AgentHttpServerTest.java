package dev.sluice.control.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentHttpServerTest {
    private static final Instant START = Instant.parse("2025-06-01T10:00:00.5Z");

    private final MutableClock clock = new MutableClock(START);
    private final ProxyHealth health = new ProxyHealth(Duration.ofSeconds(10));
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private AgentHttpServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        server = AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), health, registry, clock);
        port = server.address().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void bindsAnEphemeralPort() {
        assertThat(port).isPositive();
        assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void healthzIsKubeProxysBodyAndHeaders() {
        HttpResponse<String> response = Http.get(port, "/healthz");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        // Healthy: lastUpdated is "now", kube-proxy's backward-compatible meaning.
        assertThat(response.body()).isEqualTo(
                "{\"lastUpdated\":\"2025-06-01T10:00:00.5Z\",\"currentTime\":\"2025-06-01T10:00:00.5Z\","
                        + "\"nodeEligible\":true,\"healthy\":true}");
    }

    @Test
    void healthzGoesUnavailableWhenAQueuedChangeIsLateAndRecovers() {
        health.updated(clock.instant());
        Instant synced = clock.instant();
        clock.step(Duration.ofSeconds(25));
        assertThat(Http.get(port, "/healthz").statusCode()).isEqualTo(200);

        health.queuedUpdate(clock.instant());
        clock.step(Duration.ofSeconds(25));
        HttpResponse<String> late = Http.get(port, "/healthz");
        assertThat(late.statusCode()).isEqualTo(503);
        // Unhealthy: lastUpdated is the last sync.
        assertThat(late.body()).isEqualTo("{\"lastUpdated\":\"" + GoTime.rfc3339Nano(synced)
                + "\",\"currentTime\":\"2025-06-01T10:00:50.5Z\",\"nodeEligible\":true,\"healthy\":false}");
        assertThat(Http.get(port, "/livez").statusCode()).isEqualTo(503);

        health.updated(clock.instant());
        clock.step(Duration.ofSeconds(5));
        assertThat(Http.get(port, "/healthz").statusCode()).isEqualTo(200);
        assertThat(Http.get(port, "/livez").statusCode()).isEqualTo(200);
    }

    @Test
    void ineligibleNodeFailsHealthzButNotLivez() {
        health.updated(clock.instant());
        health.nodeEligible(false);

        HttpResponse<String> healthz = Http.get(port, "/healthz");
        assertThat(healthz.statusCode()).isEqualTo(503);
        assertThat(healthz.body()).contains("\"nodeEligible\":false,\"healthy\":true");

        HttpResponse<String> livez = Http.get(port, "/livez");
        assertThat(livez.statusCode()).isEqualTo(200);
        assertThat(livez.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(livez.body()).isEqualTo(
                "{\"lastUpdated\":\"2025-06-01T10:00:00.5Z\",\"currentTime\":\"2025-06-01T10:00:00.5Z\",\"healthy\":true}");

        health.nodeEligible(true);
        assertThat(Http.get(port, "/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void theHealthOnlyServerHidesMetricsStatusAndReadiness() throws Exception {
        registry.counter("sluice.test.hits").increment();
        try (AgentHttpServer healthOnly = AgentHttpServer.startHealthOnly(
                new InetSocketAddress("127.0.0.1", 0), health, clock)) {
            int healthPort = healthOnly.address().getPort();
            assertThat(Http.get(healthPort, "/healthz").statusCode()).isEqualTo(200);
            assertThat(Http.get(healthPort, "/livez").statusCode()).isEqualTo(200);
            for (String hidden : new String[] {"/metrics", "/statusz", "/readyz"}) {
                assertThat(Http.get(healthPort, hidden).statusCode()).as(hidden).isEqualTo(404);
            }
        }
        assertThat(Http.get(port, "/metrics").body()).contains("sluice_test_hits_total");
    }

    @Test
    void readyzWaitsForTheFirstSync() {
        HttpResponse<String> before = Http.get(port, "/readyz");
        assertThat(before.statusCode()).isEqualTo(503);
        assertThat(before.body()).isEqualTo("first sync not done\n");
        // Live all along: a slow start must not get the pod killed.
        assertThat(Http.get(port, "/livez").statusCode()).isEqualTo(200);

        health.updated(clock.instant());
        HttpResponse<String> after = Http.get(port, "/readyz");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo("ok\n");
    }

    @Test
    void metricsSpeaksTextFormatAndOpenMetricsOnRequest() {
        registry.counter("sluice.test.hits").increment(3);

        HttpResponse<String> text = Http.get(port, "/metrics");
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(text.body()).contains("sluice_test_hits_total 3.0");

        HttpResponse<String> openMetrics = Http.send(port, "/metrics", "GET",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertThat(openMetrics.headers().firstValue("Content-Type"))
                .contains("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(openMetrics.body()).contains("sluice_test_hits_total 3.0").endsWith("# EOF\n");
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() {
        assertThat(Http.get(port, "/").statusCode()).isEqualTo(404);
        assertThat(Http.get(port, "/healthz/extra").statusCode()).isEqualTo(404);
        assertThat(Http.send(port, "/nope", "POST", null).statusCode()).isEqualTo(404);

        HttpResponse<String> post = Http.send(port, "/healthz", "POST", null);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(Http.send(port, "/metrics", "DELETE", null).statusCode()).isEqualTo(405);
    }

    @Test
    void queryStringsAreIgnoredAndHeadHasNoBody() {
        assertThat(Http.get(port, "/healthz?verbose=1").statusCode()).isEqualTo(200);

        HttpResponse<String> head = Http.send(port, "/healthz", "HEAD", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(
                Http.get(port, "/healthz").body().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void keepsConnectionsAliveAndHonoursConnectionClose() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));

            out.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(RawHttp.readResponse(in).statusLine()).isEqualTo("HTTP/1.1 200 OK");

            out.write("GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawHttp.Response second = RawHttp.readResponse(in);
            assertThat(second.statusLine()).isEqualTo("HTTP/1.1 503 Service Unavailable");
            assertThat(second.body()).isEqualTo("first sync not done\n");
            assertThat(in.read()).as("server closed the connection").isEqualTo(-1);
        }
    }

    @Test
    void closeStopsListeningAndIsIdempotent() {
        server.close();
        assertThatThrownBy(() -> Http.get(port, "/healthz"))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(ConnectException.class);
        server.close();
    }
}
