package dev.sluice.control.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServiceTrafficCollectorTest {
    private static final ServiceTrafficKey WEB_HTTP = new ServiceTrafficKey("shop", "web", "http");
    private static final ServiceTrafficKey DNS_53 = new ServiceTrafficKey("kube-system", "kube-dns", "53");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<DatapathTraffic> datapath = new AtomicReference<>(DatapathTraffic.EMPTY);
    private ServiceTrafficCollector collector;
    private AgentHttpServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        new AgentMetrics(registry).services(2);
        collector = ServiceTrafficCollector.register(registry, () -> {
            DatapathTraffic traffic = datapath.get();
            if (traffic == null) {
                throw new IllegalStateException("map read failed");
            }
            return traffic;
        });
        server = AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), new ProxyHealth(Duration.ofSeconds(60)),
                registry, Clock.systemUTC());
        port = server.address().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servicesAppearAndDisappearWithTheDatapath() {
        datapath.set(new DatapathTraffic(
                Map.of(WEB_HTTP, new ServiceTraffic(10, 1500), DNS_53, new ServiceTraffic(4, 300)),
                Map.of("no_backend", 3L)));

        assertThat(Scrape.samples(port)).contains(
                "sluice_service_packets_total{name=\"web\",namespace=\"shop\",port=\"http\"} 10.0",
                "sluice_service_bytes_total{name=\"web\",namespace=\"shop\",port=\"http\"} 1500.0",
                "sluice_service_packets_total{name=\"kube-dns\",namespace=\"kube-system\",port=\"53\"} 4.0",
                "sluice_service_bytes_total{name=\"kube-dns\",namespace=\"kube-system\",port=\"53\"} 300.0",
                "sluice_datapath_drops_total{reason=\"no_backend\"} 3.0",
                "sluice_services 2.0");

        datapath.set(new DatapathTraffic(Map.of(DNS_53, new ServiceTraffic(9, 700)), Map.of("no_backend", 5L)));

        assertThat(Scrape.samples(port))
                .contains("sluice_service_packets_total{name=\"kube-dns\",namespace=\"kube-system\",port=\"53\"} 9.0",
                        "sluice_datapath_drops_total{reason=\"no_backend\"} 5.0")
                .noneMatch(line -> line.contains("namespace=\"shop\""));
    }

    @Test
    void aFailedReadCostsOnlyTheDatapathSeries() {
        datapath.set(new DatapathTraffic(Map.of(WEB_HTTP, new ServiceTraffic(1, 2)), Map.of()));
        assertThat(Scrape.samples(port)).contains("sluice_service_traffic_read_errors_total 0.0");

        datapath.set(null);

        assertThat(Scrape.samples(port))
                .contains("sluice_service_traffic_read_errors_total 1.0", "sluice_services 2.0")
                .noneMatch(line -> line.startsWith("sluice_service_packets_total"));
    }

    @Test
    void countersPastTwoToTheSixtyThreeStayPositive() {
        datapath.set(new DatapathTraffic(Map.of(WEB_HTTP, new ServiceTraffic(-1, 0)), Map.of()));
        assertThat(Scrape.samples(port))
                .contains("sluice_service_packets_total{name=\"web\",namespace=\"shop\",port=\"http\"} 1.8446744073709552E19");
    }

    @Test
    void unregisterRemovesTheSeries() {
        datapath.set(new DatapathTraffic(Map.of(WEB_HTTP, new ServiceTraffic(1, 2)), Map.of("no_backend", 1L)));
        collector.unregister(registry);
        assertThat(Scrape.samples(port)).noneMatch(line -> line.startsWith("sluice_service_")
                && !line.startsWith("sluice_services") || line.startsWith("sluice_datapath_drops"));
    }
}
