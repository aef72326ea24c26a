package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.observe.AgentHttpServer;
import dev.sluice.control.observe.AgentStatus;
import dev.sluice.control.observe.ProxyHealth;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sluice status} against a real agent HTTP server, and against none. */
class StatusCommandTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final AgentStatus STATUS = new AgentStatus("node-a", "ebpf", "kubernetes", true,
            "2025-06-01T11:59:58Z", 12, 30, List.of(), null, null);

    private static AgentHttpServer start(ProxyHealth health, AgentStatus status) throws Exception {
        return AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), health,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), CLOCK, status == null ? null : () -> status);
    }

    private static CliRun status(AgentHttpServer server, String... extra) {
        String[] args = new String[extra.length + 3];
        args[0] = "status";
        args[1] = "--agent";
        args[2] = "127.0.0.1:" + server.address().getPort();
        System.arraycopy(extra, 0, args, 3, extra.length);
        return CliRun.of(args);
    }

    private static String withoutPort(String text, AgentHttpServer server) {
        return text.replace(":" + server.address().getPort(), ":PORT");
    }

    @Test
    void aHealthyReadyAgentIsReportedAndExitsZero() throws Exception {
        ProxyHealth health = new ProxyHealth(Duration.ofMinutes(1));
        health.updated(NOW.minusSeconds(2));
        try (AgentHttpServer server = start(health, STATUS)) {
            CliRun run = status(server);
            assertThat(run.err()).isEmpty();
            assertThat(run.exitCode()).isZero();
            Golden.assertMatches("status.txt", withoutPort(run.out(), server));
        }
    }

    @Test
    void theJsonCarriesStatuszHealthzAndReadyz() throws Exception {
        ProxyHealth health = new ProxyHealth(Duration.ofMinutes(1));
        health.updated(NOW.minusSeconds(2));
        try (AgentHttpServer server = start(health, STATUS)) {
            CliRun run = status(server, "-o", "json");
            assertThat(run.exitCode()).isZero();
            Golden.assertMatches("status.json", withoutPort(run.out(), server));
        }
    }

    @Test
    void anAgentBeforeItsFirstSyncIsNotReadyAndExitsOne() throws Exception {
        AgentStatus starting = new AgentStatus("node-a", "ebpf", "kubernetes", false, null, 0, 0,
                List.of("service default/bad: no ports"), null, null);
        try (AgentHttpServer server = start(new ProxyHealth(Duration.ofMinutes(1)), starting)) {
            CliRun run = status(server);
            assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE);
            Golden.assertMatches("status-starting.txt", withoutPort(run.out(), server));
        }
    }

    @Test
    void anAgentWithoutStatuszStillReportsHealth() throws Exception {
        ProxyHealth health = new ProxyHealth(Duration.ofMinutes(1));
        health.updated(NOW.minusSeconds(2));
        try (AgentHttpServer server = start(health, null)) {
            CliRun run = status(server);
            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).contains("statusz  not served by this agent\n").contains("healthz  healthy (HTTP 200)");
        }
    }

    @Test
    void anUnreachableAgentIsOneLineAndExitsSix() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CliRun run = CliRun.of("status", "--agent", "127.0.0.1:" + port);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.AGENT_UNREACHABLE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("sluice: cannot reach the sluice agent at http://127.0.0.1:" + port
                + ": connection refused (is it running on this node? the address is --agent or SLUICE_AGENT)\n");
    }

    @Test
    void theAgentAddressComesFromTheEnvironment() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CliRun run = CliRun.of(Map.of("SLUICE_AGENT", "http://127.0.0.1:" + port + "/ignored"), "status");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.AGENT_UNREACHABLE);
        assertThat(run.err()).startsWith("sluice: cannot reach the sluice agent at http://127.0.0.1:" + port + ": ");
    }

    @Test
    void aMalformedAgentAddressIsAUsageError() {
        CliRun run = CliRun.of("status", "--agent", "::not a host::");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).startsWith("sluice: --agent: ").hasLineCount(1);
    }
}
