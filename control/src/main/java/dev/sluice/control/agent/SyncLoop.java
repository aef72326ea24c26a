package dev.sluice.control.agent;

import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.model.NodeContext;
import dev.sluice.control.model.ServiceChangeTracker;
import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import dev.sluice.control.model.ValidationError;
import dev.sluice.control.observe.AgentMetrics;
import dev.sluice.control.observe.AgentStatus;
import dev.sluice.control.observe.HealthCheck;
import dev.sluice.control.observe.ProxyHealth;
import dev.sluice.control.observe.ServiceHealthServers;
import dev.sluice.control.observe.ServiceName;
import dev.sluice.control.source.ClusterSnapshot;
import dev.sluice.control.sync.ServiceMaps;
import dev.sluice.control.sync.ServiceProgrammer;
import dev.sluice.control.sync.SyncResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From cluster snapshots to a programmed datapath, one sync at a time, and everything that
 * reports on it: health, metrics, health-check node ports, status.
 */
final class SyncLoop {
    private static final Logger LOG = LoggerFactory.getLogger(SyncLoop.class);

    private final NodeProgramming nodeContext;
    private final ServiceProgrammer reconciler;
    /** Null on the IPVS datapath, which has no BPF maps to report. */
    private final ServiceMaps maps;
    private final AgentMetrics metrics;
    private final ProxyHealth health;
    private final ServiceHealthServers healthServers;
    private final Clock clock;
    private final String nodeName;
    private final String sourceDescription;
    private final AgentEvents events;
    private final Map<ServicePortKey, Instant> programmedTriggers = new HashMap<>();
    private final Instant startedAt;
    private final int frontendCapacity;
    private final int serviceCapacity;
    private final int backendCapacity;
    private static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(60);

    private final ServiceChangeTracker tracker = new ServiceChangeTracker();
    private final ScheduledExecutorService retries;
    private final List<WritePath> otherWrites;
    private Set<String> lastProblems = Set.of();
    private ClusterSnapshot last;
    private boolean fullSyncDone;
    private boolean retryPending;
    private int failedAttempts;
    private volatile AgentStatus status;

    SyncLoop(NodeProgramming nodeContext, ServiceProgrammer reconciler, ServiceMaps maps, AgentMetrics metrics,
             ProxyHealth health, ServiceHealthServers healthServers, Clock clock, String nodeName, String sourceDescription,
             AgentEvents events, ScheduledExecutorService retries, List<WritePath> otherWrites) {
        this.retries = retries;
        this.otherWrites = List.copyOf(otherWrites);
        this.events = events;
        this.nodeContext = nodeContext;
        this.reconciler = reconciler;
        this.metrics = metrics;
        this.health = health;
        this.healthServers = healthServers;
        this.clock = clock;
        this.nodeName = nodeName;
        this.sourceDescription = sourceDescription;
        this.startedAt = clock.instant();
        this.maps = maps;
        this.frontendCapacity = maps == null ? 0 : maps.frontends().capacity();
        this.serviceCapacity = maps == null ? 0 : maps.services().capacity();
        this.backendCapacity = maps == null ? 0 : maps.backends().capacity();
        this.status = new AgentStatus(nodeName, reconciler.datapath(), sourceDescription, false, null, 0, 0, List.of(), null, null);
    }

    /** Called by the source for every coalesced change: only the Services that changed are recomputed. */
    synchronized void onSnapshot(ClusterSnapshot snapshot) {
        health.queuedUpdate(clock.instant());
        last = snapshot;
        Instant started = clock.instant();
        NodeContext node = nodeContext.apply(snapshot.node());
        Map<ServicePortKey, ServicePort> changed = tracker.update(snapshot.services(), snapshot.slices(), node);
        // The first sync compares everything: entries a previous agent left that nothing wants go.
        SyncResult result = fullSyncDone ? reconciler.update(changed) : reconciler.sync(tracker.ports().values());
        fullSyncDone = true;
        report(snapshot, result, started, changed);
    }

    /**
     * The periodic full sync, the repair path: every Service recomputed from the last snapshot and
     * every map entry compared with the maps as read back, which finds nothing to do unless
     * something drifted.
     */
    synchronized void resync() {
        if (last == null) {
            return;
        }
        Instant started = clock.instant();
        tracker.reset();
        Map<ServicePortKey, ServicePort> changed = tracker.update(last.services(), last.slices(), nodeContext.apply(last.node()));
        if (!changed.isEmpty()) {
            LOG.warn("full resync: {} service ports differed from the incremental state: {}", changed.size(),
                    changed.keySet().stream().limit(5).toList());
        }
        SyncResult result = reconciler.resync(tracker.ports().values());
        if (result.writes() > 0) {
            LOG.warn("full resync repaired {} map entries", result.writes());
        }
        report(last, result, started, changed);
    }

    /** Writes that failed, tried again while they keep failing, with exponential backoff. */
    synchronized void retryFailedWrites() {
        retryPending = false;
        if (last == null) {
            return;
        }
        nodeContext.retry();
        otherWrites.forEach(WritePath::retry);
        report(last, reconciler.retry(), clock.instant(), Map.of());
    }

    AgentStatus status() {
        return status;
    }

    private void report(ClusterSnapshot snapshot, SyncResult result, Instant started, Map<ServicePortKey, ServicePort> changed) {
        Instant finished = clock.instant();
        List<String> problems = new ArrayList<>(snapshot.problems());
        // Counters count problems once, when they appear: a bad object that stays must not add
        // to the rate at every periodic resync.
        for (ValidationError error : tracker.errors()) {
            problems.add(error.toString());
            if (!lastProblems.contains(error.toString())) {
                metrics.syncError("invalid_object");
                objectOf(snapshot, error.object()).ifPresent(object -> events.refused(object, error.field(), error.message()));
            }
        }
        result.refused().stream().filter(r -> !lastProblems.contains(r)).forEach(r -> metrics.refusedChange("map_full"));
        result.conflicts().stream().filter(c -> !lastProblems.contains(c)).forEach(c -> {
            LOG.error("{}", c);
            metrics.refusedChange("frontend_conflict");
        });
        result.errors().forEach(error -> metrics.syncError("map_update"));
        nodeContext.failures().forEach(error -> metrics.syncError("map_update"));
        otherWrites.forEach(path -> path.failures().forEach(error -> metrics.syncError("map_update")));
        problems.addAll(result.refused());
        problems.addAll(result.conflicts());
        problems.addAll(result.warnings());
        problems.addAll(result.errors());
        List<String> failures = new ArrayList<>(nodeContext.failures());
        otherWrites.forEach(path -> failures.addAll(path.failures()));
        problems.addAll(failures);
        failures.addAll(result.errors());
        lastProblems = new HashSet<>(problems);

        metrics.syncCompleted(Duration.between(started, finished), finished);
        metrics.services(result.services());
        metrics.backends(result.backends());
        if (maps != null) {
            metrics.bpfMap(DatapathMaps.FRONTENDS, result.frontends(), frontendCapacity);
            metrics.bpfMap(DatapathMaps.SERVICES, result.services(), serviceCapacity);
            metrics.bpfMap(DatapathMaps.BACKENDS, result.backends(), backendCapacity);
        }
        recordProgrammingLatency(changed, finished);
        healthServers.sync(healthChecks(tracker.ports()));
        health.updated(finished);
        if (failures.isEmpty()) {
            health.programmingSucceeded();
            failedAttempts = 0;
        } else {
            health.programmingFailed(finished, failures);
            scheduleRetry(failures.size());
        }
        status = new AgentStatus(nodeName, reconciler.datapath(), sourceDescription, true, finished.toString(),
                result.services(), result.backends(), List.copyOf(problems), snapshot.revision(), null);
        LOG.info("synced {} changed of {} service ports as {} datapath services and {} backends, {} map writes, in {} ms{}",
                changed.size(), tracker.ports().size(), result.services(), result.backends(), result.writes(),
                Duration.between(started, finished).toMillis(),
                problems.isEmpty() ? "" : " (" + problems.size() + " problems)");
    }

    private void scheduleRetry(int failures) {
        if (retryPending) {
            return;
        }
        retryPending = true;
        long delayMillis = Math.min(MAX_RETRY_DELAY.toMillis(), FIRST_RETRY_DELAY.toMillis() << Math.min(failedAttempts, 16));
        failedAttempts++;
        LOG.warn("{} map writes failed; retrying in {} ms", failures, delayMillis);
        retries.schedule(() -> {
            try {
                retryFailedWrites();
            } catch (RuntimeException e) {
                LOG.error("retrying failed map writes", e);
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** The object a problem names ("Service ns/name"), to attach an event to. */
    private static Optional<HasMetadata> objectOf(ClusterSnapshot snapshot, String described) {
        int space = described.indexOf(' ');
        int slash = described.indexOf('/');
        if (space < 0 || slash < space) {
            return Optional.empty();
        }
        String kind = described.substring(0, space);
        String namespace = described.substring(space + 1, slash);
        String name = described.substring(slash + 1);
        List<? extends HasMetadata> candidates = switch (kind) {
            case "Service" -> snapshot.services();
            case "EndpointSlice" -> snapshot.slices();
            default -> List.of();
        };
        return candidates.stream().filter(o -> o.getMetadata() != null
                && namespace.equals(o.getMetadata().getNamespace()) && name.equals(o.getMetadata().getName()))
                .<HasMetadata>map(o -> o).findFirst();
    }

    /** Network programming latency, once per endpoints change, as kube-proxy measures it. */
    private void recordProgrammingLatency(Map<ServicePortKey, ServicePort> changed, Instant programmed) {
        changed.forEach((key, port) -> {
            Instant trigger = port == null ? null : port.lastChangeTriggerTime();
            // Like kube-proxy (trackerStartTime), changes made before this agent started are not
            // measured: a restart would otherwise record the age of every slice as a latency.
            if (trigger == null || trigger.isBefore(startedAt)) {
                programmedTriggers.remove(key);
                return;
            }
            if (!trigger.equals(programmedTriggers.put(key, trigger))) {
                metrics.networkProgrammed(trigger, programmed);
            }
        });
    }

    private static Map<ServiceName, HealthCheck> healthChecks(Map<ServicePortKey, ServicePort> ports) {
        Map<ServiceName, HealthCheck> checks = new HashMap<>();
        for (ServicePort port : ports.values()) {
            if (port.externalTrafficLocal() && port.healthCheckNodePort() > 0) {
                checks.merge(new ServiceName(port.name().namespace(), port.name().name()),
                        new HealthCheck(port.healthCheckNodePort(), port.localEndpoints().size()),
                        (a, b) -> a.localEndpoints() >= b.localEndpoints() ? a : b);
            }
        }
        return checks;
    }
}
