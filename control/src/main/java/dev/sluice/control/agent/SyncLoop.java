package dev.sluice.control.agent;

import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.model.DesiredState;
import dev.sluice.control.model.NodeContext;
import dev.sluice.control.model.ProxySemantics;
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
import dev.sluice.control.sync.Reconciler;
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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From cluster snapshots to a programmed datapath, one sync at a time, and everything that
 * reports on it: health, metrics, health-check node ports, status.
 */
final class SyncLoop {
    private static final Logger LOG = LoggerFactory.getLogger(SyncLoop.class);

    private final Function<Node, NodeContext> nodeContext;
    private final Reconciler reconciler;
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
    private Set<String> lastProblems = Set.of();
    private ClusterSnapshot last;
    private volatile AgentStatus status;

    SyncLoop(Function<Node, NodeContext> nodeContext, Reconciler reconciler, DatapathMaps maps, AgentMetrics metrics,
             ProxyHealth health, ServiceHealthServers healthServers, Clock clock, String nodeName, String sourceDescription,
             AgentEvents events) {
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
        this.frontendCapacity = maps.frontends().info().maxEntries();
        this.serviceCapacity = maps.services().info().maxEntries();
        this.backendCapacity = maps.backends().info().maxEntries();
        this.status = new AgentStatus(nodeName, "ebpf", sourceDescription, false, null, 0, 0, List.of());
    }

    /** Called by the source for every coalesced change. */
    synchronized void onSnapshot(ClusterSnapshot snapshot) {
        health.queuedUpdate(clock.instant());
        last = snapshot;
        sync(snapshot);
    }

    /** The periodic full sync: the last snapshot again, which repairs whatever drifted. */
    synchronized void resync() {
        if (last != null) {
            sync(last);
        }
    }

    AgentStatus status() {
        return status;
    }

    private void sync(ClusterSnapshot snapshot) {
        Instant started = clock.instant();
        NodeContext node = nodeContext.apply(snapshot.node());
        DesiredState desired = ProxySemantics.compute(snapshot.services(), snapshot.slices(), node);
        SyncResult result = reconciler.sync(desired.ports().values());
        Instant finished = clock.instant();

        List<String> problems = new ArrayList<>(snapshot.problems());
        // Counters count problems once, when they appear: a bad object that stays must not add
        // to the rate at every periodic resync.
        for (ValidationError error : desired.errors()) {
            problems.add(error.toString());
            if (!lastProblems.contains(error.toString())) {
                metrics.syncError("invalid_object");
                objectOf(snapshot, error.object()).ifPresent(object -> events.refused(object, error.field(), error.message()));
            }
        }
        result.refused().stream().filter(r -> !lastProblems.contains(r)).forEach(r -> metrics.refusedChange("map_full"));
        result.errors().forEach(error -> metrics.syncError("map_update"));
        problems.addAll(result.refused());
        problems.addAll(result.errors());
        lastProblems = new HashSet<>(problems);

        metrics.syncCompleted(Duration.between(started, finished), finished);
        metrics.services(result.services());
        metrics.backends(result.backends());
        metrics.bpfMap(DatapathMaps.FRONTENDS, result.frontends(), frontendCapacity);
        metrics.bpfMap(DatapathMaps.SERVICES, result.services(), serviceCapacity);
        metrics.bpfMap(DatapathMaps.BACKENDS, result.backends(), backendCapacity);
        recordProgrammingLatency(desired, finished);
        healthServers.sync(healthChecks(desired));
        health.updated(finished);
        status = new AgentStatus(nodeName, "ebpf", sourceDescription, true, finished.toString(),
                result.services(), result.backends(), List.copyOf(problems));
        LOG.info("synced {} service ports as {} datapath services and {} backends in {} ms{}",
                desired.ports().size(), result.services(), result.backends(),
                Duration.between(started, finished).toMillis(),
                problems.isEmpty() ? "" : " (" + problems.size() + " problems)");
    }

    /** Network programming latency, once per endpoints change, as kube-proxy measures it. */
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

    private void recordProgrammingLatency(DesiredState desired, Instant programmed) {
        Map<ServicePortKey, Instant> seen = new HashMap<>();
        for (ServicePort port : desired.ports().values()) {
            Instant trigger = port.lastChangeTriggerTime();
            // Like kube-proxy (trackerStartTime), changes made before this agent started are not
            // measured: a restart would otherwise record the age of every slice as a latency.
            if (trigger == null || trigger.isBefore(startedAt)) {
                continue;
            }
            seen.put(port.key(), trigger);
            if (!trigger.equals(programmedTriggers.get(port.key()))) {
                metrics.networkProgrammed(trigger, programmed);
            }
        }
        programmedTriggers.clear();
        programmedTriggers.putAll(seen);
    }

    private static Map<ServiceName, HealthCheck> healthChecks(DesiredState desired) {
        Map<ServiceName, HealthCheck> checks = new HashMap<>();
        for (ServicePort port : desired.ports().values()) {
            if (port.externalTrafficLocal() && port.healthCheckNodePort() > 0) {
                checks.merge(new ServiceName(port.name().namespace(), port.name().name()),
                        new HealthCheck(port.healthCheckNodePort(), port.localEndpoints().size()),
                        (a, b) -> a.localEndpoints() >= b.localEndpoints() ? a : b);
            }
        }
        return checks;
    }
}
