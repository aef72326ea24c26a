package dev.sluice.control.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health-check node ports of externalTrafficPolicy=Local Services, which cloud load balancers
 * probe to send traffic only to nodes with local endpoints. Mirrors kube-proxy's
 * ServiceHealthServer (service_health.go):
 * <ul>
 *   <li>every path and method of a port answers (load balancers probe various paths), see
 *       {@link ServiceHealthReply} for the response;</li>
 *   <li>a {@link #sync} first closes the ports of removed Services and of Services whose port
 *       changed, then opens the new ones, so a port can move between Services in one sync;</li>
 *   <li>a Service whose port stays keeps its listeners and open connections; only its endpoint
 *       count changes;</li>
 *   <li>a port that cannot be bound on one address is closed on all of them, logged, counted
 *       ({@code sluice_service_healthcheck_listen_failures_total}) and retried on the next sync;
 *       other Services are unaffected.</li>
 * </ul>
 * Also exports {@code sluice_service_healthchecks}, the number of Services being served.
 */
public final class ServiceHealthServers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceHealthServers.class);

    private final List<InetAddress> bindAddresses;
    private final BooleanSupplier proxyHealthy;
    private final EventLoopGroup eventLoops = HttpListener.eventLoops("sluice-svc-health", 1);
    private final Map<ServiceName, Instance> serving = new HashMap<>();
    private final Counter listenFailures;
    private final AtomicInteger servingCount = new AtomicInteger();
    private boolean closed;

    /**
     * @param bindAddresses where each health-check port listens; kube-proxy's default is all
     *                      addresses ({@code 0.0.0.0}), or the node's IPs matching
     *                      {@code nodePortAddresses}
     * @param proxyHealthy  the agent's own health ({@link ProxyHealth#isHealthy} at the current
     *                      time): a node whose datapath is stale reports 503 for every Service
     * @param registry      where the listen-failure counter and serving gauge are registered
     */
    public ServiceHealthServers(List<InetAddress> bindAddresses, BooleanSupplier proxyHealthy, MeterRegistry registry) {
        if (bindAddresses.isEmpty()) {
            throw new IllegalArgumentException("at least one bind address is needed");
        }
        this.bindAddresses = List.copyOf(bindAddresses);
        this.proxyHealthy = Objects.requireNonNull(proxyHealthy, "proxyHealthy");
        this.listenFailures = Counter.builder("sluice.service.healthcheck.listen.failures")
                .description("Health-check node ports that could not be opened (retried on the next sync)")
                .register(registry);
        Gauge.builder("sluice.service.healthchecks", servingCount, AtomicInteger::get)
                .description("Services whose health-check node port is being served")
                .strongReference(true).register(registry);
    }

    /** Makes the served set exactly {@code desired}: the Services with externalTrafficPolicy=Local. */
    public synchronized void sync(Map<ServiceName, HealthCheck> desired) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        for (Iterator<Map.Entry<ServiceName, Instance>> it = serving.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ServiceName, Instance> entry = it.next();
            HealthCheck wanted = desired.get(entry.getKey());
            if (wanted == null || wanted.nodePort() != entry.getValue().port) {
                LOG.info("closing health check of {} on port {}", entry.getKey(), entry.getValue().port);
                entry.getValue().close();
                it.remove();
            }
        }
        desired.forEach((service, check) -> {
            Instance instance = serving.get(service);
            if (instance != null) {
                instance.localEndpoints = check.localEndpoints();
                return;
            }
            try {
                serving.put(service, open(service, check));
                LOG.info("opened health check of {} on port {}", service, check.nodePort());
            } catch (IOException e) {
                listenFailures.increment();
                LOG.error("cannot open health check of {} on port {}: {}", service, check.nodePort(), e.getMessage());
            }
        });
        servingCount.set(serving.size());
    }

    private Instance open(ServiceName service, HealthCheck check) throws IOException {
        Instance instance = new Instance(check.nodePort(), check.localEndpoints());
        HttpRoute route = request -> ServiceHealthReply.of(service, instance.localEndpoints,
                proxyHealthy.getAsBoolean());
        try {
            for (InetAddress address : bindAddresses) {
                instance.listeners.add(HttpListener.bind(eventLoops, new InetSocketAddress(address, check.nodePort()), route));
            }
        } catch (IOException e) {
            // Keep nothing half-open: another owner of the port, or our next retry, needs it whole.
            instance.close();
            throw e;
        }
        return instance;
    }

    /** The Services currently served and their ports. */
    public synchronized Map<ServiceName, Integer> serving() {
        Map<ServiceName, Integer> ports = new TreeMap<>(
                Comparator.comparing(ServiceName::namespace).thenComparing(ServiceName::name));
        serving.forEach((service, instance) -> ports.put(service, instance.port));
        return ports;
    }

    /** Closes every health-check port; the instance cannot be used afterwards. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        serving.values().forEach(Instance::close);
        serving.clear();
        servingCount.set(0);
        eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static final class Instance {
        final int port;
        final List<HttpListener> listeners = new ArrayList<>();
        // Written by sync, read by the event loop on every probe.
        volatile int localEndpoints;

        Instance(int port, int localEndpoints) {
            this.port = port;
            this.localEndpoints = localEndpoints;
        }

        void close() {
            listeners.forEach(HttpListener::close);
        }
    }
}
