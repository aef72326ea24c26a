package dev.sluice.control.observe;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exposes the datapath's counters, read at scrape time:
 * {@code sluice_service_packets_total{namespace,name,port}},
 * {@code sluice_service_bytes_total{namespace,name,port}}, {@code sluice_datapath_drops_total{reason}},
 * and {@code sluice_service_traffic_read_errors_total}.
 *
 * <p>A Prometheus collector rather than Micrometer meters: the set of Services changes all the
 * time, and meters would have to be registered and removed in step with it. Reading the BPF maps
 * per scrape makes whatever the reader returns the whole truth, so a deleted Service's series
 * disappear on the next scrape by construction. A failing read drops only these series for that
 * scrape (and counts the failure); the agent's other metrics are still served.
 */
public final class ServiceTrafficCollector implements MultiCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceTrafficCollector.class);
    static final String PACKETS = "sluice_service_packets";
    static final String BYTES = "sluice_service_bytes";
    static final String DROPS = "sluice_datapath_drops";
    static final String READ_ERRORS = "sluice_service_traffic_read_errors";

    private final ServiceTrafficReader reader;
    private final AtomicLong readErrors = new AtomicLong();
    private volatile Built last;

    private ServiceTrafficCollector(ServiceTrafficReader reader) {
        this.reader = reader;
    }

    /** Adds the datapath's counters, read through {@code reader}, to {@code registry}'s scrape. */
    public static ServiceTrafficCollector register(PrometheusMeterRegistry registry, ServiceTrafficReader reader) {
        ServiceTrafficCollector collector = new ServiceTrafficCollector(reader);
        registry.getPrometheusRegistry().register(collector);
        return collector;
    }

    /** Removes the counters from {@code registry}'s scrape, e.g. when the datapath is unloaded. */
    public void unregister(PrometheusMeterRegistry registry) {
        registry.getPrometheusRegistry().unregister(this);
    }

    @Override
    public MetricSnapshots collect() {
        DatapathTraffic traffic;
        try {
            traffic = reader.read();
        } catch (RuntimeException e) {
            readErrors.incrementAndGet();
            LOG.warn("reading datapath counters failed; scraping without them", e);
            traffic = DatapathTraffic.EMPTY;
        }
        Built built = last;
        if (built == null || built.traffic() != traffic) {
            // A periodic reader hands every scrape the same read: build its series once.
            built = new Built(traffic,
                    perService(PACKETS, "Packets delivered to a Service port", traffic.services(), ServiceTraffic::packets),
                    perService(BYTES, "Bytes delivered to a Service port", traffic.services(), ServiceTraffic::bytes),
                    drops(traffic.drops()));
            last = built;
        }
        return MetricSnapshots.of(built.packets(), built.bytes(), built.drops(),
                counter(READ_ERRORS, "Scrapes whose datapath counter read failed")
                        .dataPoint(point(Labels.EMPTY, readErrors.get())).build());
    }

    /** The series of one read, kept while the reader returns that same read. */
    private record Built(DatapathTraffic traffic, CounterSnapshot packets, CounterSnapshot bytes, CounterSnapshot drops) {}

    @Override
    public List<String> getPrometheusNames() {
        return List.of(PACKETS, BYTES, DROPS, READ_ERRORS);
    }

    private static CounterSnapshot perService(String name, String help, Map<ServiceTrafficKey, ServiceTraffic> services,
                                              ToLongFunction<ServiceTraffic> value) {
        CounterSnapshot.Builder counter = counter(name, help);
        services.forEach((key, traffic) -> counter.dataPoint(point(
                Labels.of("namespace", key.namespace(), "name", key.name(), "port", key.port()),
                value.applyAsLong(traffic))));
        return counter.build();
    }

    private static CounterSnapshot drops(Map<String, Long> drops) {
        CounterSnapshot.Builder counter = counter(DROPS, "Packets the datapath dropped, by reason");
        drops.forEach((reason, count) -> counter.dataPoint(point(Labels.of("reason", reason), count)));
        return counter.build();
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static CounterDataPointSnapshot point(Labels labels, long value) {
        // BPF counters are u64; past 2^63 Java sees them negative, and a counter must not go down.
        double asDouble = value >= 0 ? value : value + 0x1p64;
        return CounterDataPointSnapshot.builder().labels(labels).value(asDouble).build();
    }
}
