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
import dev.sluice.control.ipvs.IpvsCleanup;
import dev.sluice.control.ipvs.IpvsDatapath;
import dev.sluice.control.ipvs.IpvsReconciler;
import dev.sluice.control.ipvs.IpvsStateFile;
import dev.sluice.control.ipvs.NetlinkIpvsKernel;
import dev.sluice.control.model.Cidr;
import dev.sluice.control.sync.Reconciler;
import dev.sluice.control.sync.ServiceMaps;
import dev.sluice.control.sync.ServiceProgrammer;
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
    /** Where an agent on --datapath ipvs takes the node's lock, outside bpffs. */
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
        DatapathChoice choice;
        try {
            choice = DatapathChoice.parse(options.datapath);
        } catch (IllegalArgumentException e) {
            LOG.error("{}", e.getMessage());
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
            IpvsCleanup.run(NetlinkIpvsKernel.DUMMY, IpvsStateFile.in(options.ipvsRunDir), List.of(), true);
            return 0;
        }
        if (options.cleanupKubeProxy) {
            PortRange nodePorts = PortRange.parse("--service-node-port-range", options.serviceNodePortRange, "30000-32767");
            return KubeProxyCleanup.runOnThisNode(nodePorts.min(), nodePorts.max());
        }
        Optional<DirectoryLock> nodeLock = null;
        String fallbackReason = null;
        if (choice != DatapathChoice.IPVS) {
            try {
                if (root.startsWith(HOST_BPFFS)) {
                    Bpffs.ensureMounted(HOST_BPFFS);
                }
                Files.createDirectories(root.resolve("maps"));
                // Before anything is adopted: a second agent must not swap the first one's programs.
                nodeLock = lockNode(root);
            } catch (IOException | RuntimeException e) {
                if (choice == DatapathChoice.EBPF) {
                    throw e;
                }
                fallbackReason = "no bpffs at " + root + ": " + e;
                LOG.warn("the eBPF datapath cannot run on this node ({}); FALLING BACK TO IPVS", fallbackReason);
                choice = DatapathChoice.IPVS;
            }
        }
        if (nodeLock == null) {
            // Never touch BPF, not even bpffs: the lock lives in a plain directory.
            Files.createDirectories(options.ipvsRunDir);
            nodeLock = lockNode(options.ipvsRunDir);
        }
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
            Programming programming = null;
            if (choice != DatapathChoice.IPVS) {
                List<AutoCloseable> ebpfResources = new ArrayList<>();
                try {
                    programming = startEbpf(root, nodeName, ebpfResources);
                    resources.addAll(ebpfResources);
                } catch (Exception e) {
                    closeAll(ebpfResources);
                    if (choice == DatapathChoice.EBPF) {
                        throw e;
                    }
                    fallbackReason = e.toString();
                    LOG.warn("the eBPF datapath cannot run on this node ({}); FALLING BACK TO IPVS", fallbackReason);
                }
            }
            if (programming == null) {
                programming = startIpvs(root, fallbackReason, nodeName, resources);
            } else {
                // Switching modes: whatever the IPVS datapath left would answer beside eBPF.
                IpvsCleanup.run(NetlinkIpvsKernel.DUMMY, IpvsStateFile.in(options.ipvsRunDir), List.of(), false);
            }
            NodeProgramming node = programming.node();

            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            AgentMetrics metrics = new AgentMetrics(registry);
            metrics.datapath(programming.programmer().datapath(), fallbackReason != null);
            String datapathFallback = fallbackReason;
            PeriodicTrafficReader traffic = programming.maps() == null ? null
                    : new PeriodicTrafficReader(new DatapathTrafficReader(programming.maps()));
            if (traffic != null) {
                ServiceTrafficCollector.register(registry, traffic);
            }
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
            ConntrackSweeper sweeper = programming.maps() == null ? null : new ConntrackSweeper(programming.maps());
            SyncLoop loop = new SyncLoop(node, programming.programmer(), programming.serviceMaps(), metrics, health,
                    healthServers, clock, nodeName, source, events, scheduler,
                    sweeper == null ? List.of() : List.of(sweeper));
            // Built before /statusz, started last: /statusz reports the source's own problems
            // (an unreachable API server) live, before any snapshot.
            ClusterSource clusterSource = client == null ? new ManifestSource(options.manifest, nodeName)
                    : new KubernetesSource(client, nodeName);
            resources.add(AgentHttpServer.start(socketAddress(options.metricsBindAddress), health, registry, clock,
                    () -> loop.status().withSourceProblems(clusterSource.problems()).withDatapathFallback(datapathFallback)));
            if (options.healthzBindAddress != null && !options.healthzBindAddress.isBlank()
                    && !options.healthzBindAddress.equals(options.metricsBindAddress)) {
                resources.add(AgentHttpServer.startHealthOnly(socketAddress(options.healthzBindAddress), health, clock));
            }

            PodInterfaces pods = programming.pods();
            if (pods != null) {
                scheduler.scheduleWithFixedDelay(() -> guarded("pod interface scan", pods::rescan),
                        0, POD_INTERFACE_SCAN_MILLIS, TimeUnit.MILLISECONDS);
            }
            scheduler.scheduleWithFixedDelay(() -> guarded("full resync", loop::resync),
                    options.syncPeriod.toMillis(), options.syncPeriod.toMillis(), TimeUnit.MILLISECONDS);
            if (traffic != null) {
                scheduler.scheduleWithFixedDelay(() -> guarded("traffic counter read", traffic::refresh),
                        TRAFFIC_READ_SECONDS, TRAFFIC_READ_SECONDS, TimeUnit.SECONDS);
            }
            if (sweeper != null) {
                scheduler.scheduleWithFixedDelay(() -> guarded("conntrack sweep", sweeper::sweep),
                        CONNTRACK_SWEEP_SECONDS, CONNTRACK_SWEEP_SECONDS, TimeUnit.SECONDS);
            }

            resources.add(clusterSource);
            clusterSource.start(loop::onSnapshot);
            events.started(nodeName);
            if (programming.maps() != null) {
                LOG.info("sluice agent on node {} running from {}; datapath pinned under {}", nodeName, source, root);
            } else {
                LOG.info("sluice agent on node {} running from {} on the IPVS datapath", nodeName, source);
            }
            stop.await();
            LOG.info(programming.maps() != null ? "stopping; the datapath stays attached and pinned under {}"
                    : "stopping; the IPVS services, {} and table inet sluice_ipvs stay", programming.maps() != null ? root
                    : NetlinkIpvsKernel.DUMMY);
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

    /**
     * What one datapath gives the sync loop. {@code maps}, {@code serviceMaps} and {@code pods} are
     * null on IPVS, which has no BPF maps, traffic counters, conntrack sweep or pod programs.
     */
    private record Programming(NodeProgramming node, ServiceProgrammer programmer, DatapathMaps maps,
                               ServiceMaps serviceMaps, PodInterfaces pods) {}

    /** The eBPF datapath, loaded and attached as it always was; everything opened goes into {@code resources}. */
    private Programming startEbpf(Path root, String nodeName, List<AutoCloseable> resources) throws Exception {
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
        return new Programming(node, reconciler, maps, serviceMaps, pods);
    }

    /** The IPVS datapath; what eBPF left pinned under {@code root} is removed first (switching modes). */
    private Programming startIpvs(Path root, String fallbackReason, String nodeName,
                                  List<AutoCloseable> resources) {
        if (fallbackReason == null && (Files.isDirectory(root.resolve("links")) || Files.isDirectory(root.resolve("maps")))) {
            try {
                Cleanup.run(root);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot remove what the eBPF datapath left under {}: {}", root, e.toString());
            }
        }
        List<Cidr> clusterCidrs = options.clusterCidrs == null ? List.of()
                : options.clusterCidrs.stream().filter(c -> !c.isBlank()).map(Cidr::parse).toList();
        IpvsReconciler reconciler = IpvsDatapath.start(options.masqueradeAll, clusterCidrs, Path.of("/proc/sys"),
                IpvsStateFile.in(options.ipvsRunDir), resources);
        if (fallbackReason != null) {
            LOG.warn("datapath: IPVS (--datapath auto; eBPF failed: {})", fallbackReason);
        } else {
            LOG.info("datapath: IPVS (--datapath ipvs)");
        }
        return new Programming(new IpvsNodeSettings(options, nodeName), reconciler, null, null, null);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("while giving up on the eBPF datapath: {}", e.toString());
            }
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
