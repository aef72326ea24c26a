package dev.sluice.control.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;

/**
 * The control plane's own metrics. Names below are as Prometheus shows them.
 * <ul>
 *   <li>{@code sluice_sync_duration_seconds} histogram: one full sync, trigger to maps written
 *       (kube-proxy's sync_proxy_rules_duration_seconds buckets: 1 ms doubling to 16 s);</li>
 *   <li>{@code sluice_network_programming_duration_seconds} histogram: from the change in the API
 *       (an EndpointSlice's {@code endpoints.kubernetes.io/last-change-trigger-time}) to the
 *       datapath reflecting it (kube-proxy's network_programming_duration_seconds buckets);</li>
 *   <li>{@code sluice_services}, {@code sluice_backends} gauges: what the datapath serves now;</li>
 *   <li>{@code sluice_bpf_map_entries{map}}, {@code sluice_bpf_map_capacity{map}} gauges;</li>
 *   <li>{@code sluice_sync_errors_total{reason}}, {@code sluice_refused_changes_total{reason}};</li>
 *   <li>{@code sluice_last_sync_timestamp_seconds}: Unix time of the last successful sync, so an
 *       alert can say "no sync for N minutes" without a histogram.</li>
 * </ul>
 * Per-Service datapath counters are not here: they are read from BPF at scrape time by
 * {@link ServiceTrafficCollector}. Thread-safe. Gauges hold their state strongly, so the values
 * survive even if this object is dropped; create one instance per registry (a second one would
 * find the first one's gauges already registered and update nothing visible).
 */
public final class AgentMetrics {
    private static final Duration[] SYNC_BUCKETS = seconds(DoubleStream.iterate(0.001, b -> b * 2).limit(15));
    private static final Duration[] PROGRAMMING_BUCKETS = seconds(Stream.of(
            DoubleStream.of(0.25, 0.5),
            DoubleStream.iterate(1, b -> b + 1).limit(59),
            DoubleStream.iterate(60, b -> b + 5).limit(12),
            DoubleStream.iterate(120, b -> b + 30).limit(7)).flatMapToDouble(s -> s));

    private final MeterRegistry registry;
    private final Timer syncDuration;
    private final Timer networkProgramming;
    private final AtomicLong services = new AtomicLong();
    private final AtomicLong backends = new AtomicLong();
    private final AtomicReference<Double> lastSync = new AtomicReference<>(0.0);
    private final Map<String, MapOccupancy> maps = new ConcurrentHashMap<>();

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        syncDuration = Timer.builder("sluice.sync.duration")
                .description("Time to bring the datapath in line with the API (one sync)")
                .serviceLevelObjectives(SYNC_BUCKETS)
                .register(registry);
        networkProgramming = Timer.builder("sluice.network.programming.duration")
                .description("Time from a change in the API to the datapath reflecting it")
                .serviceLevelObjectives(PROGRAMMING_BUCKETS)
                .register(registry);
        Gauge.builder("sluice.services", services, AtomicLong::get)
                .description("Services programmed in the datapath").strongReference(true).register(registry);
        Gauge.builder("sluice.backends", backends, AtomicLong::get)
                .description("Service backends programmed in the datapath").strongReference(true).register(registry);
        Gauge.builder("sluice.last.sync.timestamp", lastSync, AtomicReference::get)
                .description("Unix time the last successful sync finished, 0 before the first")
                .baseUnit("seconds")
                .strongReference(true).register(registry);
    }

    /** A sync completed successfully, having taken {@code took}. */
    public void syncCompleted(Duration took, Instant finishedAt) {
        syncDuration.record(took);
        lastSync.set(finishedAt.getEpochSecond() + finishedAt.getNano() / 1e9);
    }

    /**
     * A change that entered the API at {@code triggeredAt} is in the datapath as of
     * {@code programmedAt}. Clock skew between the API server and this node can make the
     * difference negative; that is recorded as zero rather than dropped, so counts stay honest.
     */
    public void networkProgrammed(Instant triggeredAt, Instant programmedAt) {
        Duration latency = Duration.between(triggeredAt, programmedAt);
        networkProgramming.record(latency.isNegative() ? Duration.ZERO : latency);
    }

    public void services(long count) {
        services.set(count);
    }

    public void backends(long count) {
        backends.set(count);
    }

    /** Occupancy of one BPF map, by its name in the object file. */
    public void bpfMap(String map, long entries, long capacity) {
        MapOccupancy occupancy = maps.computeIfAbsent(map, this::registerMap);
        occupancy.entries.set(entries);
        occupancy.capacity.set(capacity);
    }

    /** A sync failed; {@code reason} is a short fixed vocabulary (e.g. {@code map_update}), never a message. */
    public void syncError(String reason) {
        syncErrors(reason).increment();
    }

    /**
     * A change was not applied because it is unsupported or would not fit (e.g. {@code map_full},
     * {@code unsupported_protocol}); a short fixed vocabulary, never a message.
     */
    public void refusedChange(String reason) {
        refusedChanges(reason).increment();
    }

    private Counter syncErrors(String reason) {
        return Counter.builder("sluice.sync.errors").description("Syncs that failed, by reason")
                .tag("reason", reason).register(registry);
    }

    private Counter refusedChanges(String reason) {
        return Counter.builder("sluice.refused.changes").description("Changes not applied to the datapath, by reason")
                .tag("reason", reason).register(registry);
    }

    private MapOccupancy registerMap(String map) {
        MapOccupancy occupancy = new MapOccupancy(new AtomicLong(), new AtomicLong());
        Gauge.builder("sluice.bpf.map.entries", occupancy.entries, AtomicLong::get)
                .description("Entries in a BPF map").tag("map", map).strongReference(true).register(registry);
        Gauge.builder("sluice.bpf.map.capacity", occupancy.capacity, AtomicLong::get)
                .description("max_entries of a BPF map").tag("map", map).strongReference(true).register(registry);
        return occupancy;
    }

    private record MapOccupancy(AtomicLong entries, AtomicLong capacity) {
    }

    private static Duration[] seconds(DoubleStream values) {
        return values.mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);
    }

    /**
     * {@code sluice_datapath_info{datapath="ebpf|ipvs",fallback="true|false"} 1}: which datapath
     * this agent programs, and whether it is IPVS because {@code --datapath auto} found eBPF unable
     * to run (an alert's target); set once at start.
     */
    public void datapath(String datapath, boolean fallback) {
        Gauge.builder("sluice.datapath.info", () -> 1).tag("datapath", datapath).tag("fallback", Boolean.toString(fallback))
                .strongReference(true)
                .description("The datapath this agent programs (1 for the one in use), fallback=true when auto fell back to IPVS")
                .register(registry);
    }
}
