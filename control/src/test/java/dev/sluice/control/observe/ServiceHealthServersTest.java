package dev.sluice.control.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceHealthServersTest {
    private static final ServiceName AB = new ServiceName("a", "b");
    private static final ServiceName CD = new ServiceName("c", "d");
    private static final ServiceName EF = new ServiceName("e", "f");

    private final AtomicBoolean proxyHealthy = new AtomicBoolean(true);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ServiceHealthServers servers = new ServiceHealthServers(
            List.of(InetAddress.getLoopbackAddress()), proxyHealthy::get, registry);

    @AfterEach
    void close() {
        servers.close();
    }

    @Test
    void answersKubeProxysBodyAndHeaders() {
        int port = Http.freePort();
        servers.sync(Map.of(AB, new HealthCheck(port, 18)));

        HttpResponse<String> response = Http.get(port, "/healthz");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(response.headers().firstValue("X-Load-Balancing-Endpoint-Weight")).contains("18");
        assertThat(response.body()).isEqualTo("""
                {
                \t"service": {
                \t\t"namespace": "a",
                \t\t"name": "b"
                \t},
                \t"localEndpoints": 18,
                \t"serviceProxyHealthy": true
                }""");
    }

    @Test
    void unavailableWithoutLocalEndpointsOrWhenTheProxyIsUnhealthy() {
        int port = Http.freePort();
        servers.sync(Map.of(AB, new HealthCheck(port, 0)));
        HttpResponse<String> none = Http.get(port, "/healthz");
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(none.body()).contains("\"localEndpoints\": 0,");

        servers.sync(Map.of(AB, new HealthCheck(port, 7)));
        assertThat(Http.get(port, "/healthz").statusCode()).isEqualTo(200);

        // kube-proxy: a stale datapath cannot be trusted to deliver to those endpoints.
        proxyHealthy.set(false);
        HttpResponse<String> stale = Http.get(port, "/healthz");
        assertThat(stale.statusCode()).isEqualTo(503);
        assertThat(stale.body()).contains("\"localEndpoints\": 7,").contains("\"serviceProxyHealthy\": false");
    }

    @Test
    void anyPathAndMethodIsAProbe() {
        int port = Http.freePort();
        servers.sync(Map.of(AB, new HealthCheck(port, 1)));
        assertThat(Http.get(port, "/").statusCode()).isEqualTo(200);
        assertThat(Http.send(port, "/whatever", "POST", null).statusCode()).isEqualTo(200);
    }

    @Test
    void countUpdatesKeepTheListenerAndItsConnections() throws Exception {
        int port = Http.freePort();
        servers.sync(Map.of(AB, new HealthCheck(port, 3)));
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            byte[] probe = "GET /healthz HTTP/1.1\r\nHost: lb\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

            out.write(probe);
            out.flush();
            assertThat(RawHttp.readResponse(in).headers()).containsEntry("x-load-balancing-endpoint-weight", "3");

            servers.sync(Map.of(AB, new HealthCheck(port, 0)));

            out.write(probe);
            out.flush();
            RawHttp.Response after = RawHttp.readResponse(in);
            assertThat(after.statusLine()).isEqualTo("HTTP/1.1 503 Service Unavailable");
            assertThat(after.headers()).containsEntry("x-load-balancing-endpoint-weight", "0");
        }
        assertThat(servers.serving()).containsExactlyEntriesOf(Map.of(AB, port));
    }

    @Test
    void removedServicesStopListening() {
        int abPort = Http.freePort();
        int cdPort = Http.freePort();
        servers.sync(Map.of(AB, new HealthCheck(abPort, 1), CD, new HealthCheck(cdPort, 2)));
        assertThat(registry.get("sluice.service.healthchecks").gauge().value()).isEqualTo(2.0);

        servers.sync(Map.of(CD, new HealthCheck(cdPort, 2)));

        assertRefused(abPort);
        assertThat(Http.get(cdPort, "/healthz").statusCode()).isEqualTo(200);
        assertThat(servers.serving()).containsExactlyEntriesOf(Map.of(CD, cdPort));
        assertThat(registry.get("sluice.service.healthchecks").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void aChangedPortMovesAndCanPassToAnotherServiceInOneSync() {
        int first = Http.freePort();
        int second = Http.freePort();
        while (second == first) {
            second = Http.freePort();
        }
        servers.sync(Map.of(AB, new HealthCheck(first, 1)));

        // kube-proxy closes before it opens, so the freed port is available within the same sync.
        servers.sync(Map.of(AB, new HealthCheck(second, 1), CD, new HealthCheck(first, 4)));

        assertThat(Http.get(second, "/").body()).contains("\"name\": \"b\"");
        assertThat(Http.get(first, "/").body()).contains("\"name\": \"d\"").contains("\"localEndpoints\": 4");
    }

    @Test
    void aPortInUseFailsOnlyItsServiceAndIsRetriedOnTheNextSync() throws Exception {
        int ok = Http.freePort();
        int taken;
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            taken = squatter.getLocalPort();

            servers.sync(Map.of(AB, new HealthCheck(ok, 1), CD, new HealthCheck(taken, 1)));

            assertThat(Http.get(ok, "/healthz").statusCode()).isEqualTo(200);
            assertThat(servers.serving()).containsOnlyKeys(AB);
            assertThat(registry.get("sluice.service.healthcheck.listen.failures").counter().count()).isEqualTo(1.0);
        }

        servers.sync(Map.of(AB, new HealthCheck(ok, 1), CD, new HealthCheck(taken, 1)));

        assertThat(servers.serving()).containsOnlyKeys(AB, CD);
        assertThat(Http.get(taken, "/healthz").body()).contains("\"name\": \"d\"");
    }

    @Test
    void closeReleasesEveryPort() {
        int ab = Http.freePort();
        int ef = Http.freePort();
        servers.sync(Map.of(AB, new HealthCheck(ab, 1), EF, new HealthCheck(ef, 0)));

        servers.close();

        assertRefused(ab);
        assertRefused(ef);
        assertThat(servers.serving()).isEmpty();
        assertThatThrownBy(() -> servers.sync(Map.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void escapesNamesInTheBody() {
        int port = Http.freePort();
        servers.sync(Map.of(new ServiceName("ns", "we\"ird"), new HealthCheck(port, 1)));
        assertThat(Http.get(port, "/").body()).contains("\"name\": \"we\\\"ird\"");
    }

    private static void assertRefused(int port) {
        assertThatThrownBy(() -> Http.get(port, "/healthz"))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(ConnectException.class);
    }
}
