package dev.sluice.control.agent;

import dev.sluice.control.datapath.Datapath;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.migrate.KubeProxyCleanup;
import dev.sluice.control.observe.AgentHttpServer;
import dev.sluice.control.observe.AgentMetrics;
import dev.sluice.control.observe.ProxyHealth;
import dev.sluice.control.observe.ServiceHealthServers;
import dev.sluice.control.observe.PeriodicTrafficReader;
import dev.sluice.control.observe.ServiceTrafficCollector;
import dev.sluice.control.source.ClusterSource;
import dev.sluice.control.source.KubernetesSource;
import dev.sluice.control.source.ManifestSource;
import dev.sluice.control.sync.Reconciler;
import dev.sluice.control.sync.ServiceMaps;
import dev.sluice.ffm.sys.Bpffs;
import dev.sluice.ffm.sys.DirectoryLock;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

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
    /** How old the per-service counters a scrape serves may be: well under any rate() window. */
    private static final long TRAFFIC_READ_SECONDS = 10;
    private static final long POD_INTERFACE_SCAN_MILLIS = 1000;
    /** Exit status when another agent already runs on the same --bpffs-root. */
    static final int EXIT_ANOTHER_AGENT = 3;
    private static final Path HOST_BPFFS = Path.of("/sys/fs/bpf");
    /** Exit status when --config holds a field sluice refuses (picocli's usage errors are 2 too). */
    static final int EXIT_BAD_CONFIGURATION = 2;

    @Mixin
    AgentOptions options = new AgentOptions();

    @Spec
    CommandSpec spec;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Where the Kubernetes client comes from (null: --kubeconfig or fabric8's discovery); the agent closes it. */
    private final Supplier<KubernetesClient> kubernetes;

    public SluiceAgent() {
        this(null);
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
        if (options.config != null) {
            KubeProxyConfigFile.Outcome read;
            try {
                read = KubeProxyConfigFile.apply(options.config, options,
                        flag -> spec.commandLine().getParseResult().hasMatchedOption(flag));
            } catch (IllegalArgumentException e) {
                LOG.error("{}", e.getMessage());
                return EXIT_BAD_CONFIGURATION;
            }
            LOG.info("read kube-proxy configuration {}: set {}", options.config, read.applied());
            read.ignored().forEach(field -> LOG.info("kube-proxy configuration {}: ignoring {}", options.config, field));
            read.unknown().forEach(field -> LOG.warn("kube-proxy configuration {}: unknown field {}", options.config, field));
        }
        if (options.verbosity != null) {
            LogVerbosity.apply(options.verbosity);
        }
        if (!dev.sluice.control.maglev.TableSizes.PRIMES.contains(options.maglevTableSize)) {
            LOG.error("--maglev-table-size must be one of {} (every node picks table sizes from that list), got {}",
                    dev.sluice.control.maglev.TableSizes.PRIMES, options.maglevTableSize);
            return EXIT_BAD_CONFIGURATION;
        }
        String nodeName = options.nodeName != null && !options.nodeName.isBlank() ? options.nodeName
                : InetAddress.getLocalHost().getHostName();
        Path root = options.bpffsRoot;
        if (options.prepareNode) {
            PrepareNode.run(HOST_BPFFS, options.cgroupRoot);
            return 0;
        }
        if (options.cleanup) {
            if (Files.isDirectory(root)) {
                Optional<DirectoryLock> lock = lockNode(root);
                if (lock.isEmpty()) {
                    return EXIT_ANOTHER_AGENT;
                }
                try (DirectoryLock held = lock.get()) {
                    Cleanup.run(root);
                }
            }
            return 0;
        }
        if (options.cleanupKubeProxy) {
            return KubeProxyCleanup.runOnThisNode();
        }
        if (root.startsWith(HOST_BPFFS)) {
            Bpffs.ensureMounted(HOST_BPFFS);
        }
        Files.createDirectories(root.resolve("maps"));
        // Before anything is adopted: a second agent must not swap the first one's programs.
        Optional<DirectoryLock> nodeLock = lockNode(root);
        if (nodeLock.isEmpty()) {
            return EXIT_ANOTHER_AGENT;
        }
        Clock clock = Clock.systemUTC();
        List<AutoCloseable> resources = new ArrayList<>();
        resources.add(nodeLock.get());
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
            ServiceMaps serviceMaps = ServiceMaps.of(maps);
            Reconciler reconciler = Reconciler.adopt(serviceMaps, options.maglevTableSize, options.hashSeed);

            LinkPins pins = new LinkPins(root.resolve("links"));
            TcAttachments tc = new TcAttachments(pins);
            NodeInterfaces.attach(nonBlank(options.interfaces), options.xdpMode, datapath, pins, tc, resources);
            PodInterfaces pods = new PodInterfaces(nonBlank(options.podInterfaces), datapath.tcPod(), tc);
            logKernelFeatures(datapath, tc);
            resources.add(pods);

            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            AgentMetrics metrics = new AgentMetrics(registry);
            PeriodicTrafficReader traffic = new PeriodicTrafficReader(new DatapathTrafficReader(maps));
            ServiceTrafficCollector.register(registry, traffic);
            ProxyHealth health = ProxyHealth.forSyncPeriod(options.syncPeriod);
            ServiceHealthServers healthServers = new ServiceHealthServers(
                    nonBlank(options.healthCheckAddresses).stream().map(SluiceAgent::inet).toList(),
                    () -> health.isHealthy(clock.instant()), registry);
            resources.add(healthServers);

            String source = options.manifest != null ? "manifest " + options.manifest : "kubernetes";
            KubernetesClient client = null;
            AgentEvents events = AgentEvents.NONE;
            if (options.manifest == null) {
                client = kubernetes != null ? kubernetes.get() : kubernetesClient(options.kubeconfig);
                // KubernetesSource stops its informers but does not own the client: close it here
                // (after the source and the events, resources close in reverse), or its HTTP threads outlive us.
                resources.add(client);
                KubernetesEvents kubernetesEvents = new KubernetesEvents(client, nodeName, clock);
                resources.add(kubernetesEvents);
                events = kubernetesEvents;
            }
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("sluice-periodic").daemon().factory());
            resources.add(scheduler::shutdownNow);
            ConntrackSweeper sweeper = new ConntrackSweeper(maps);
            SyncLoop loop = new SyncLoop(node, reconciler, serviceMaps, metrics, health, healthServers, clock, nodeName, source,
                    events, scheduler, List.of(sweeper));
            // Built before /statusz, started last: /statusz reports the source's own problems
            // (an unreachable API server) live, before any snapshot.
            ClusterSource clusterSource = client == null ? new ManifestSource(options.manifest, nodeName)
                    : new KubernetesSource(client, nodeName);
            resources.add(AgentHttpServer.start(socketAddress(options.metricsBindAddress), health, registry, clock,
                    () -> loop.status().withSourceProblems(clusterSource.problems())));
            if (options.healthzBindAddress != null && !options.healthzBindAddress.isBlank()
                    && !options.healthzBindAddress.equals(options.metricsBindAddress)) {
                resources.add(AgentHttpServer.startHealthOnly(socketAddress(options.healthzBindAddress), health, clock));
            }

            scheduler.scheduleWithFixedDelay(() -> guarded("pod interface scan", pods::rescan),
                    0, POD_INTERFACE_SCAN_MILLIS, TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(() -> guarded("full resync", loop::resync),
                    options.syncPeriod.toMillis(), options.syncPeriod.toMillis(), TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(() -> guarded("traffic counter read", traffic::refresh),
                    TRAFFIC_READ_SECONDS, TRAFFIC_READ_SECONDS, TimeUnit.SECONDS);
            scheduler.scheduleWithFixedDelay(() -> guarded("conntrack sweep", sweeper::sweep),
                    CONNTRACK_SWEEP_SECONDS, CONNTRACK_SWEEP_SECONDS, TimeUnit.SECONDS);

            resources.add(clusterSource);
            clusterSource.start(loop::onSnapshot);
            events.started(nodeName);
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

    /** What this kernel let the datapath use, so a report from an older kernel says so at once. */
    private static void logKernelFeatures(Datapath datapath, TcAttachments tc) {
        String release;
        try {
            release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            release = "(unknown: " + e.getMessage() + ")";
        }
        LOG.info("kernel {}: tc attach {}, nf_conntrack kfuncs {}", release,
                tc.method() == null ? "chosen at the first interface" : tc.method(),
                datapath.leavesKernelConnectionsToTheKernel() ? "used" : "absent (the plain build is loaded)");
    }

    private static KubernetesClient kubernetesClient(Path kubeconfig) {
        KubernetesClientBuilder builder = new KubernetesClientBuilder();
        if (kubeconfig != null) {
            builder.withConfig(Config.fromKubeconfig(kubeconfig.toFile()));
        }
        return builder.build();
    }

    /** The lock that makes this the only agent on {@code root}; empty (and said) when another holds it. */
    private static Optional<DirectoryLock> lockNode(Path root) {
        Optional<DirectoryLock> lock = DirectoryLock.tryLock(root);
        if (lock.isEmpty()) {
            LOG.error("another sluice agent is running on {} (it holds that directory's lock); stop it first, "
                    + "or give this agent its own --bpffs-root", root);
        }
        return lock;
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
