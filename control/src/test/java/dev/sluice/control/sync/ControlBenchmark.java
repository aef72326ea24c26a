package dev.sluice.control.sync;

import dev.sluice.control.agent.DatapathTrafficReader;
import dev.sluice.control.datapath.Datapath;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.TrafficCounter;
import dev.sluice.control.maglev.TableSizes;
import dev.sluice.control.model.KubernetesLabels;
import dev.sluice.control.model.NodeContext;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.control.model.ServiceChangeTracker;
import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import dev.sluice.control.observe.PeriodicTrafficReader;
import dev.sluice.control.observe.ServiceTrafficCollector;
import dev.sluice.ffm.PerCpuBpfMap;
import dev.sluice.ffm.testing.PrivateBpffs;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The control plane's cost at scale, on the agent's own path: Kubernetes objects through the
 * change tracker ({@link ServiceChangeTracker}, ProxySemantics per changed Service) and the
 * {@link Reconciler} into the real maps of a loaded datapath on a private bpffs. One scenario per
 * process, so that its RSS is its own: S services (every tenth a NodePort, the rest ClusterIP) of
 * E endpoints each.
 *
 * <p>Figures: the first sync into empty maps (beside ProxySemantics over every object, the
 * baseline); a full resync with nothing changed (it must write nothing); one endpoint change ->
 * maps programmed, p50/p99/max; one Service added; a /metrics scrape with traffic counted for
 * every service; heap after GC, RSS and the kernel's own accounting of BPF map memory; the first
 * sync after a restart (the maps adopted, nothing rewritten).
 *
 * <p>A command, not a test, needing root: {@code bin/bench-control} runs the three scenarios of
 * control/README.md; {@code ControlBenchmark S E [changes] [max-table-size]} runs one.
 */
public final class ControlBenchmark {
    private static final NodeContext NODE = new NodeContext("node-a", "zone-a",
            List.of(address(192, 168, 0, 10)), "sluice");
    private static final int ADDED_SERVICES = 20;

    private final int serviceCount;
    private final int endpointCount;
    private final List<Service> services = new ArrayList<>();
    private final List<EndpointSlice> slices = new ArrayList<>();
    private final List<String[]> rows = new ArrayList<>();
    private long checksum;
    private long[] trackerNanos;
    private double scrapeReadMillis;

    private ControlBenchmark(int serviceCount, int endpointCount) {
        this.serviceCount = serviceCount;
        this.endpointCount = endpointCount;
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int endpoints = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int changes = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int maxTable = args.length > 3 ? Integer.parseInt(args[3]) : TableSizes.DEFAULT_MAX;
        new ControlBenchmark(services, endpoints).run(changes, maxTable);
    }

    private void run(int changes, int maxTable) throws Exception {
        System.out.printf(Locale.ROOT, "%d services x %d endpoints (every tenth a NodePort), largest Maglev table %d; %s %s, %d CPUs%n",
                serviceCount, endpointCount, maxTable, System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        for (int i = 0; i < serviceCount; i++) {
            services.add(service(i));
            slices.add(slice(i, 0));
        }
        boolean atTenThousand = serviceCount == 10_000 && endpointCount == 10;
        double semantics = medianMillis(5, () -> ProxySemantics.compute(services, slices, NODE).ports().size());
        row("ProxySemantics over every object (baseline, median of 5)", ms(semantics), "", "");

        Map<String, Integer> capacities = capacities();
        try (PrivateBpffs bpffs = PrivateBpffs.mount()) {
            Path pins = bpffs.root().resolve("maps");
            ServiceChangeTracker tracker = new ServiceChangeTracker();
            Reconciler reconciler;
            try (Datapath datapath = Datapath.load(pins, capacities)) {
                ServiceMaps maps = ServiceMaps.of(datapath.maps());
                long start = System.nanoTime();
                tracker.update(List.copyOf(services), List.copyOf(slices), NODE);
                reconciler = Reconciler.adopt(maps, maxTable, 0);
                SyncResult first = check(reconciler.sync(tracker.ports().values()));
                double firstSync = (System.nanoTime() - start) / 1e6;
                row("first sync into empty maps", ms(firstSync), atTenThousand ? "< 3000 ms" : "",
                        verdict(atTenThousand, firstSync < 3000) + " " + ratio(firstSync, semantics));
                System.out.printf(Locale.ROOT, "  (%d map writes: %d datapath services, %d backends, %d frontends)%n",
                        first.writes(), first.services(), first.backends(), first.frontends());

                start = System.nanoTime();
                tracker.reset();
                tracker.update(List.copyOf(services), List.copyOf(slices), NODE);
                SyncResult resync = check(reconciler.resync(tracker.ports().values()));
                double resyncMs = (System.nanoTime() - start) / 1e6;
                row("full resync, nothing changed (maps read back)", ms(resyncMs), "0 writes",
                        resync.writes() == 0 ? "met (0 writes)" : "MISSED (" + resync.writes() + " writes)");

                long[] changeNanos = endpointChanges(tracker, reconciler, changes);
                row("one endpoint change -> maps programmed, p50", ms(pct(changeNanos, 50)), "", "");
                row("one endpoint change -> maps programmed, p99", ms(pct(changeNanos, 99)), atTenThousand ? "< 20 ms" : "",
                        verdict(atTenThousand, pct(changeNanos, 99) < 20));
                row("one endpoint change -> maps programmed, max", ms(changeNanos[changeNanos.length - 1] / 1e6), "", "");
                row("  of which the change tracker, p50 / p99", ms(pct(trackerNanos, 50)) + " / " + ms(pct(trackerNanos, 99)), "", "");
                long[] added = servicesAdded(tracker, reconciler);
                row("one Service added -> maps programmed, p50 of " + ADDED_SERVICES, ms(pct(added, 50)), "", "");
                row("one Service added -> maps programmed, max", ms(added[added.length - 1] / 1e6), "", "");
                row("/metrics scrape, traffic counted for every service", ms(scrapeMillis(datapath.maps())), "a few ms", "");
                row("reading the per-service counters (every 10 s, off the scrape)", ms(scrapeReadMillis), "", "");

                long heap = heapUsedAfterGc();
                holdForInspection();
                long rss = rssBytes();
                MapMemory memory = MapMemory.of(pins, datapath.maps());
                row("heap used after GC", mib(heap), "", "");
                row("RSS after GC and 6 s idle (the agent's path and objects)", mib(rss),
                        atTenThousand ? "< 300 MiB" : "", verdict(atTenThousand, rss < 300L << 20));
                row("BPF map memory (kernel accounting), all maps", mib(memory.total()), atTenThousand ? "< 250 MiB" : "",
                        verdict(atTenThousand, memory.total() < 250L << 20));
                System.out.printf(Locale.ROOT, "  (of which %s in %d backend tables; the largest maps: %s)%n",
                        mib(memory.tables()), memory.tableCount(), memory.largest(4));
            }

            // A restart: the object is unloaded, the maps stay pinned, a new agent adopts them.
            try (Datapath datapath = Datapath.load(pins, capacities)) {
                long start = System.nanoTime();
                ServiceChangeTracker fresh = new ServiceChangeTracker();
                fresh.update(List.copyOf(services), List.copyOf(slices), NODE);
                Reconciler restarted = Reconciler.adopt(ServiceMaps.of(datapath.maps()), maxTable, 0);
                SyncResult adopted = check(restarted.sync(fresh.ports().values()));
                double restartMs = (System.nanoTime() - start) / 1e6;
                row("first sync after a restart (maps adopted)", ms(restartMs), "", adopted.writes() == 0
                        ? "0 writes" : adopted.writes() + " writes");
            }
        }
        print();
        System.out.printf(Locale.ROOT, "(checksum %d)%n", checksum);
    }

    /** What an operator sets (--max-backends, --max-services) for a cluster of this size. */
    private Map<String, Integer> capacities() {
        int backends = Math.max(262_144, Integer.highestOneBit(serviceCount * endpointCount * 2));
        int serviceViews = Math.max(65_536, Integer.highestOneBit(serviceCount * 2) * 2);
        return Map.of(DatapathMaps.BACKENDS, backends, DatapathMaps.SERVICES, serviceViews, DatapathMaps.NAMES, serviceViews,
                DatapathMaps.MAGLEV, serviceViews, DatapathMaps.TRAFFIC, serviceViews, DatapathMaps.FRONTENDS, serviceViews);
    }

    /** One endpoint of a random service moves to a new address, {@code count} times, each timed to the maps. */
    private long[] endpointChanges(ServiceChangeTracker tracker, Reconciler reconciler, int count) {
        SplittableRandom random = new SplittableRandom(42);
        long[] nanos = new long[count];
        trackerNanos = new long[count];
        for (int i = 0; i < count; i++) {
            int changed = random.nextInt(serviceCount);
            slices.set(changed, slice(changed, i + 1));
            long start = System.nanoTime();
            Map<ServicePortKey, ServicePort> delta = tracker.update(List.copyOf(services), List.copyOf(slices), NODE);
            trackerNanos[i] = System.nanoTime() - start;
            check(reconciler.update(delta));
            nanos[i] = System.nanoTime() - start;
            if (delta.size() != 1) {
                throw new IllegalStateException("one endpoint change gave " + delta.size() + " changed ports");
            }
        }
        Arrays.sort(nanos);
        Arrays.sort(trackerNanos);
        return nanos;
    }

    private long[] servicesAdded(ServiceChangeTracker tracker, Reconciler reconciler) {
        long[] nanos = new long[ADDED_SERVICES];
        for (int i = 0; i < ADDED_SERVICES; i++) {
            int index = serviceCount + i;
            services.add(service(index));
            slices.add(slice(index, 0));
            long start = System.nanoTime();
            check(reconciler.update(tracker.update(List.copyOf(services), List.copyOf(slices), NODE)));
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    /** A scrape once every service has counted traffic on every CPU: the collector's worst case. */
    private double scrapeMillis(DatapathMaps maps) {
        PerCpuBpfMap<Integer, TrafficCounter> traffic = maps.traffic();
        Map<Integer, List<TrafficCounter>> counters = new HashMap<>();
        for (int id : maps.names().keys()) {
            counters.put(id, Collections.nCopies(traffic.cpus(), new TrafficCounter(id, 100L * id)));
        }
        traffic.updateBatch(counters);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DatapathTrafficReader reader = new DatapathTrafficReader(maps);
        // As the agent: counters read on its periodic thread, the scrape serves the last read.
        PeriodicTrafficReader periodic = new PeriodicTrafficReader(reader);
        ServiceTrafficCollector.register(registry, periodic);
        scrapeReadMillis = medianMillis(7, () -> {
            periodic.refresh();
            return periodic.read().services().size();
        });
        return medianMillis(7, () -> registry.scrape().length());
    }

    private SyncResult check(SyncResult result) {
        if (!result.errors().isEmpty() || !result.refused().isEmpty() || !result.conflicts().isEmpty()) {
            throw new IllegalStateException("sync failed: " + result);
        }
        checksum += result.services() + result.backends();
        return result;
    }

    private void row(String figure, String value, String goal, String verdict) {
        rows.add(new String[] {figure, value, goal, verdict});
    }

    private void print() {
        System.out.printf(Locale.ROOT, "%n%-64s %12s %10s  %s%n", "FIGURE", "VALUE", "GOAL", "");
        for (String[] row : rows) {
            System.out.printf(Locale.ROOT, "%-64s %12s %10s  %s%n", row[0], row[1], row[2], row[3]);
        }
    }

    private static String verdict(boolean hasGoal, boolean met) {
        return hasGoal ? (met ? "met" : "MISSED") : "";
    }

    private static String ratio(double value, double baseline) {
        return String.format(Locale.ROOT, "(%.1fx the baseline)", value / baseline);
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.1f ms", millis);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private double medianMillis(int runs, java.util.function.IntSupplier work) {
        checksum += work.getAsInt(); // warm-up
        long[] times = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            checksum += work.getAsInt();
            times[i] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        return times[runs / 2] / 1e6;
    }

    private static double pct(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    /** SLUICE_BENCH_HOLD_SECONDS keeps the scenario alive for jcmd (GC.class_histogram, VM.native_memory). */
    private static void holdForInspection() throws InterruptedException {
        String hold = System.getenv("SLUICE_BENCH_HOLD_SECONDS");
        if (hold != null) {
            System.out.printf(Locale.ROOT, "holding %s s for inspection, pid %d%n", hold, ProcessHandle.current().pid());
            Thread.sleep(Long.parseLong(hold) * 1000);
        }
    }

    /**
     * Heap in use after full GCs, then a moment idle: G1 gives heap back concurrently and the JVM
     * trims malloc's arenas every 5 s (the agent's flags), as in the idle agent.
     */
    private static long heapUsedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Thread.sleep(6000);
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long rssBytes() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static Service service(int i) {
        String clusterIp = "10.96." + (i / 250) + "." + (i % 250 + 1);
        // Every tenth a NodePort while the node port range (30000-32767) lasts.
        boolean nodePort = i % 10 == 0 && i / 10 < 2768;
        return new ServiceBuilder()
                .withNewMetadata().withNamespace("bench").withName("svc-" + i).endMetadata()
                .withNewSpec().withType(nodePort ? "NodePort" : "ClusterIP").withClusterIP(clusterIp).withClusterIPs(clusterIp)
                .withIpFamilies("IPv4")
                .withPorts(nodePort
                        ? new ServicePortBuilder().withName("http").withPort(80).withProtocol("TCP").withNodePort(30000 + i / 10).build()
                        : new ServicePortBuilder().withName("http").withPort(80).withProtocol("TCP").build())
                .endSpec().build();
    }

    /** Service i's endpoints; generation g > 0 moves endpoint g % E to a fresh address. */
    private EndpointSlice slice(int i, int generation) {
        List<Endpoint> endpoints = new ArrayList<>(endpointCount);
        for (int j = 0; j < endpointCount; j++) {
            int k = i * endpointCount + j;
            String address = generation > 0 && j == generation % endpointCount
                    ? "10.200." + (generation / 250 % 250) + "." + (generation % 250 + 1)
                    : "10." + (128 + k / 65536) + "." + (k / 256 % 256) + "." + (k % 256);
            endpoints.add(new EndpointBuilder().withAddresses(address).withNodeName(j == 0 ? "node-a" : "node-b")
                    .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions().build());
        }
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("bench").withName("svc-" + i + "-abc")
                .withLabels(Map.of(KubernetesLabels.SERVICE_NAME, "svc-" + i))
                .withAnnotations(Map.of(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME, Instant.now().toString()))
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .withEndpoints(endpoints)
                .build();
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
