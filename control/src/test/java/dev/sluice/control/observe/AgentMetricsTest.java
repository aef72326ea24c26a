package dev.sluice.control.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AgentMetrics metrics = new AgentMetrics(registry);
    private AgentHttpServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        server = AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), new ProxyHealth(Duration.ofSeconds(60)),
                registry, Clock.systemUTC());
        port = server.address().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void syncDurationIsAHistogramWithKubeProxysBuckets() {
        metrics.syncCompleted(Duration.ofMillis(3), Instant.parse("2025-06-01T10:00:00.25Z"));
        metrics.syncCompleted(Duration.ofMillis(100), Instant.parse("2025-06-01T10:00:30Z"));

        assertThat(Scrape.samples(port)).contains(
                "sluice_sync_duration_seconds_bucket{le=\"0.001\"} 0",
                "sluice_sync_duration_seconds_bucket{le=\"0.004\"} 1",
                "sluice_sync_duration_seconds_bucket{le=\"0.128\"} 2",
                "sluice_sync_duration_seconds_bucket{le=\"16.384\"} 2",
                "sluice_sync_duration_seconds_bucket{le=\"+Inf\"} 2",
                "sluice_sync_duration_seconds_count 2",
                "sluice_sync_duration_seconds_sum 0.103",
                "sluice_last_sync_timestamp_seconds 1.74877203E9");
    }

    @Test
    void networkProgrammingLatencyIsMeasuredFromTheTrigger() {
        Instant trigger = Instant.parse("2025-06-01T10:00:00Z");
        metrics.networkProgrammed(trigger, trigger.plus(700, ChronoUnit.MILLIS));
        metrics.networkProgrammed(trigger, trigger.plusSeconds(90));
        // A trigger stamped by an API server whose clock runs ahead.
        metrics.networkProgrammed(trigger, trigger.minusSeconds(2));

        assertThat(Scrape.samples(port)).contains(
                "sluice_network_programming_duration_seconds_bucket{le=\"0.25\"} 1",
                "sluice_network_programming_duration_seconds_bucket{le=\"1.0\"} 2",
                "sluice_network_programming_duration_seconds_bucket{le=\"85.0\"} 2",
                "sluice_network_programming_duration_seconds_bucket{le=\"90.0\"} 3",
                "sluice_network_programming_duration_seconds_bucket{le=\"300.0\"} 3",
                "sluice_network_programming_duration_seconds_count 3",
                "sluice_network_programming_duration_seconds_sum 90.7");
    }

    @Test
    void gaugesShowTheLatestValues() {
        metrics.services(12);
        metrics.backends(40);
        metrics.bpfMap("services", 12, 65536);
        metrics.bpfMap("backends", 40, 262144);
        metrics.services(11);
        metrics.bpfMap("services", 11, 65536);

        assertThat(Scrape.samples(port)).contains(
                "sluice_services 11.0",
                "sluice_backends 40.0",
                "sluice_bpf_map_entries{map=\"services\"} 11.0",
                "sluice_bpf_map_capacity{map=\"services\"} 65536.0",
                "sluice_bpf_map_entries{map=\"backends\"} 40.0",
                "sluice_bpf_map_capacity{map=\"backends\"} 262144.0",
                "sluice_last_sync_timestamp_seconds 0.0");
    }

    @Test
    void errorAndRefusalCountersByReason() {
        metrics.syncError("map_update");
        metrics.syncError("map_update");
        metrics.syncError("api_watch");
        metrics.refusedChange("map_full");

        assertThat(Scrape.samples(port)).contains(
                "sluice_sync_errors_total{reason=\"map_update\"} 2.0",
                "sluice_sync_errors_total{reason=\"api_watch\"} 1.0",
                "sluice_refused_changes_total{reason=\"map_full\"} 1.0");
    }
}
