package dev.sluice.control.sync;

import dev.sluice.control.datapath.Datapath;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.maglev.MaglevTable;
import dev.sluice.control.model.DesiredState;
import dev.sluice.control.model.KubernetesLabels;
import dev.sluice.control.model.NodeContext;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.control.model.ServicePort;
import dev.sluice.ffm.testing.PrivateBpffs;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The control plane's cost at scale: S ClusterIP services of E endpoints each, from Kubernetes
 * objects through {@link ProxySemantics} and the {@link Reconciler} into the real maps of a loaded
 * datapath (a private bpffs), the path the agent's SyncLoop takes. Baselines from the same run:
 * ProxySemantics alone, and ProxySemantics plus planning (Maglev tables, ids) without any map
 * writes. Then one endpoint change at a time, programmed and timed end to end, many times.
 *
 * <p>A command, not a test, needing root: {@code bin/bench-control [services] [endpoints]
 * [iterations] [maglev-table-size]} (defaults 10000 10 200 16381, the agent's table size).
 */
public final class ControlBenchmark {
    private static final NodeContext NODE = new NodeContext("node-a", "zone-a",
            List.of(address(192, 168, 0, 10)), "sluice");

    private final int serviceCount;
    private final int endpointCount;
    private final List<Service> services = new ArrayList<>();
    private final List<EndpointSlice> slices = new ArrayList<>();
    private long checksum;

    private ControlBenchmark(int serviceCount, int endpointCount) {
        this.serviceCount = serviceCount;
        this.endpointCount = endpointCount;
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int endpoints = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int maglevSize = args.length > 3 ? Integer.parseInt(args[3]) : MaglevTable.DEFAULT_SIZE;
        new ControlBenchmark(services, endpoints).run(iterations, maglevSize);
    }

    private void run(int iterations, int maglevSize) throws Exception {
        System.out.printf(Locale.ROOT, "Control plane: %d services x %d endpoints, Maglev table size %d; %s %s, %d CPUs, max heap %d MiB%n%n",
                serviceCount, endpointCount, maglevSize, System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        for (int i = 0; i < serviceCount; i++) {
            services.add(service(i));
            slices.add(slice(i, 0));
        }

        // Baselines: the pure computation, then the computation plus every table and id, no maps.
        double semantics = medianMillis(7, () -> ProxySemantics.compute(services, slices, NODE).ports().size());
        double planned = medianMillis(3, () -> {
            PlanBuilder builder = new PlanBuilder(new IdAllocator<>(), new IdAllocator<>(), maglevSize, 0);
            int slots = 0;
            for (ServicePort port : ProxySemantics.compute(services, slices, NODE).ports().values()) {
                slots += builder.plan(port).plan().tables().size();
            }
            return slots;
        });

        try (PrivateBpffs bpffs = PrivateBpffs.mount();
             Datapath datapath = Datapath.load(bpffs.root().resolve("maps"))) {
            DatapathMaps maps = datapath.maps();
            long heapBefore = heapUsed();
            long start = System.nanoTime();
            DesiredState desired = ProxySemantics.compute(services, slices, NODE);
            Reconciler reconciler = Reconciler.adopt(maps, maglevSize, 0);
            SyncResult first = reconciler.sync(desired.ports().values());
            double fullSync = (System.nanoTime() - start) / 1e6;
            check(first);
            long heapAfter = heapUsed();

            start = System.nanoTime();
            check(reconciler.sync(ProxySemantics.compute(services, slices, NODE).ports().values()));
            double resync = (System.nanoTime() - start) / 1e6;

            System.out.printf(Locale.ROOT, "%-58s %10s%n", "FULL SYNC", "MS");
            System.out.printf(Locale.ROOT, "%-58s %10.1f%n", "ProxySemantics alone (baseline, median of 7)", semantics);
            System.out.printf(Locale.ROOT, "%-58s %10.1f%n", "ProxySemantics + plans and Maglev tables, no maps (median of 3)", planned);
            System.out.printf(Locale.ROOT, "%-58s %10.1f%n", "first sync into empty maps (semantics + reconcile)", fullSync);
            System.out.printf(Locale.ROOT, "%-58s %10.1f%n", "resync, nothing changed", resync);
            System.out.println();
            System.out.printf(Locale.ROOT, "heap used after GC: %d MiB before the first sync, %d MiB after (objects, desired state, reconciler)%n",
                    heapBefore >> 20, heapAfter >> 20);
            System.out.printf(Locale.ROOT, "maps: %d frontends, %d services, %d backends, %d Maglev tables, %d names%n%n",
                    maps.frontends().keys().size(), maps.services().keys().size(), maps.backends().keys().size(),
                    countTables(maps), maps.names().keys().size());

            // One endpoint change at a time: the whole path of a SyncLoop sync, and its two halves.
            SplittableRandom random = new SplittableRandom(42);
            long[] total = new long[iterations];
            long[] computeOnly = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                int changed = random.nextInt(serviceCount);
                slices.set(changed, slice(changed, i + 1));
                long t0 = System.nanoTime();
                DesiredState next = ProxySemantics.compute(services, slices, NODE);
                long t1 = System.nanoTime();
                check(reconciler.sync(next.ports().values()));
                long t2 = System.nanoTime();
                total[i] = t2 - t0;
                computeOnly[i] = t1 - t0;
            }
            Arrays.sort(total);
            Arrays.sort(computeOnly);
            System.out.printf(Locale.ROOT, "ONE ENDPOINT CHANGED -> MAPS PROGRAMMED (%d iterations)%n", iterations);
            System.out.printf(Locale.ROOT, "%-40s %10s %10s %10s%n", "", "P50 MS", "P99 MS", "MAX MS");
            System.out.printf(Locale.ROOT, "%-40s %10.1f %10.1f %10.1f%n", "ProxySemantics (baseline)",
                    pct(computeOnly, 50), pct(computeOnly, 99), computeOnly[iterations - 1] / 1e6);
            System.out.printf(Locale.ROOT, "%-40s %10.1f %10.1f %10.1f%n", "ProxySemantics + Reconciler (total)",
                    pct(total, 50), pct(total, 99), total[iterations - 1] / 1e6);
        }
        System.out.printf(Locale.ROOT, "%n(checksum %d)%n", checksum);
    }

    private static int countTables(DatapathMaps maps) {
        int tables = 0;
        for (int id : maps.services().keys()) {
            if (maps.maglevTableId(id).isPresent()) {
                tables++;
            }
        }
        return tables;
    }

    private void check(SyncResult result) {
        if (!result.errors().isEmpty() || !result.refused().isEmpty()) {
            throw new IllegalStateException("sync failed: " + result);
        }
        checksum += result.services() + result.backends();
    }

    private double medianMillis(int runs, Supplier<Integer> work) {
        work.get(); // warm-up
        long[] times = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            checksum += work.get();
            times[i] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        return times[runs / 2] / 1e6;
    }

    private static double pct(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static long heapUsed() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static Service service(int i) {
        String clusterIp = "10.96." + (i / 250) + "." + (i % 250 + 1);
        return new ServiceBuilder()
                .withNewMetadata().withNamespace("bench").withName("svc-" + i).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp).withClusterIPs(clusterIp).withIpFamilies("IPv4")
                .withPorts(new ServicePortBuilder().withName("http").withPort(80).withProtocol("TCP").build())
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
