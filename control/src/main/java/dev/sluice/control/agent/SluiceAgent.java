package dev.sluice.control.agent;

import dev.sluice.control.datapath.Datapath;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.observe.AgentHttpServer;
import dev.sluice.control.observe.AgentMetrics;
import dev.sluice.control.observe.ProxyHealth;
import dev.sluice.control.observe.ServiceHealthServers;
import dev.sluice.control.observe.ServiceTrafficCollector;
import dev.sluice.control.source.ClusterSource;
import dev.sluice.control.source.KubernetesSource;
import dev.sluice.control.source.ManifestSource;
import dev.sluice.control.sync.Reconciler;
import dev.sluice.ffm.sys.Bpffs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The sluice agent: loads (or adopts) the datapath, keeps its programs attached, and programs its
 * maps from Kubernetes or a manifest. Stopping it leaves the datapath in place, pinned, so
 * traffic keeps flowing until the next agent adopts it.
 */
@Command(name = "sluice-agent", mixinStandardHelpOptions = true, version = "sluice 0.1.0",
        description = "Kubernetes service proxy with an eBPF datapath.")
public final class SluiceAgent implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceAgent.class);
    private static final long CONNTRACK_SWEEP_SECONDS = 60;
    private static final long POD_INTERFACE_SCAN_MILLIS = 1000;

    @Mixin
    AgentOptions options = new AgentOptions();

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Where the Kubernetes client comes from; the agent owns (and closes) what it returns. */
    private final Supplier<KubernetesClient> kubernetes;

    public SluiceAgent() {
        this(() -> new KubernetesClientBuilder().build());
    }

    /** For tests: the client a Kubernetes-mode agent watches through, e.g. one for a mock API server. */
    SluiceAgent(Supplier<KubernetesClient> kubernetes) {
        this.kubernetes = kubernetes;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SluiceAgent()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String nodeName = options.nodeName != null && !options.nodeName.isBlank() ? options.nodeName
                : InetAddress.getLocalHost().getHostName();
        Path root = options.bpffsRoot;
        if (options.cleanup) {
            Cleanup.run(root);
            return 0;
        }
        if (options.cleanupKubeProxy) {
            return dev.sluice.control.migrate.KubeProxyCleanup.runOnThisNode();
        }
        if (root.startsWith("/sys/fs/bpf")) {
            Bpffs.ensureMounted(Path.of("/sys/fs/bpf"));
        }
        Files.createDirectories(root.resolve("maps"));
        Clock clock = Clock.systemUTC();
        List<AutoCloseable> resources = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            stop.countDown();
            try {
                stopped.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            Datapath datapath = Datapath.load(root.resolve("maps"), Map.of(
                    DatapathMaps.SERVICES, options.maxServices, DatapathMaps.NAMES, options.maxServices,
                    DatapathMaps.MAGLEV, options.maxServices, DatapathMaps.TRAFFIC, options.maxServices,
                    DatapathMaps.BACKENDS, options.maxBackends, DatapathMaps.FRONTENDS, options.maxFrontends,
                    DatapathMaps.CONNTRACK, options.maxConnections));
            resources.add(datapath);
            DatapathMaps maps = datapath.maps();
            NodeSettings node = new NodeSettings(options, nodeName, maps);
            node.adoptPinned();
            Reconciler reconciler = Reconciler.adopt(maps, options.maglevTableSize, options.hashSeed);

            LinkPins pins = new LinkPins(root.resolve("links"));
            NodeInterfaces.attach(nonBlank(options.interfaces), options.xdpMode, datapath, pins, resources);
            PodInterfaces pods = new PodInterfaces(nonBlank(options.podInterfaces), datapath.tcPod(), pins);
            resources.add(pods);

            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            AgentMetrics metrics = new AgentMetrics(registry);
            ServiceTrafficCollector.register(registry, new DatapathTrafficReader(maps));
            ProxyHealth health = ProxyHealth.forSyncPeriod(options.syncPeriod);
            ServiceHealthServers healthServers = new ServiceHealthServers(
                    nonBlank(options.healthCheckAddresses).stream().map(SluiceAgent::inet).toList(),
                    () -> health.isHealthy(clock.instant()), registry);
            resources.add(healthServers);

            String source = options.manifest != null ? "manifest " + options.manifest : "kubernetes";
            SyncLoop loop = new SyncLoop(node, reconciler, maps, metrics, health, healthServers, clock, nodeName, source);
            resources.add(AgentHttpServer.start(socketAddress(options.metricsBindAddress), health, registry, clock, loop::status));
            if (options.healthzBindAddress != null && !options.healthzBindAddress.isBlank()
                    && !options.healthzBindAddress.equals(options.metricsBindAddress)) {
                resources.add(AgentHttpServer.start(socketAddress(options.healthzBindAddress), health, registry, clock, loop::status));
            }

            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("sluice-periodic").daemon().factory());
            resources.add(scheduler::shutdownNow);
            ConntrackSweeper sweeper = new ConntrackSweeper(maps);
            scheduler.scheduleWithFixedDelay(() -> guarded("pod interface scan", pods::rescan),
                    0, POD_INTERFACE_SCAN_MILLIS, TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(() -> guarded("full resync", loop::resync),
                    options.syncPeriod.toMillis(), options.syncPeriod.toMillis(), TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(() -> guarded("conntrack sweep", sweeper::sweep),
                    CONNTRACK_SWEEP_SECONDS, CONNTRACK_SWEEP_SECONDS, TimeUnit.SECONDS);

            ClusterSource clusterSource;
            if (options.manifest != null) {
                clusterSource = new ManifestSource(options.manifest, nodeName);
            } else {
                KubernetesClient client = kubernetes.get();
                // KubernetesSource stops its informers but does not own the client: close it here
                // (after the source, resources close in reverse), or its HTTP threads outlive us.
                resources.add(client);
                clusterSource = new KubernetesSource(client, nodeName);
            }
            resources.add(clusterSource);
            clusterSource.start(loop::onSnapshot);
            LOG.info("sluice agent on node {} running from {}; datapath pinned under {}", nodeName, source, root);
            stop.await();
            LOG.info("stopping; the datapath stays attached and pinned under {}", root);
            return 0;
        } finally {
            for (AutoCloseable resource : resources.reversed()) {
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.warn("while stopping: {}", e.toString());
                }
            }
            stopped.countDown();
        }
    }

    private static void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("{} failed: {}", what, e.toString());
        }
    }

    private static List<String> nonBlank(List<String> values) {
        return values == null ? List.of() : values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
    }

    private static InetAddress inet(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + text, e);
        }
    }

    static InetSocketAddress socketAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(inet(host), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** For tests: stop a running agent as SIGTERM would. */
    void stop() {
        stop.countDown();
    }
}
