package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import dev.sluice.control.model.IpFamily;
import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import dev.sluice.control.model.ServicePortName;
import dev.sluice.ffm.BpfException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the datapath maps to a desired set of service ports with the fewest map operations, in an
 * order that never lets the datapath see a dangling reference: backends, then tables, then
 * services and names, then frontends and source ranges; removals in the reverse order, after all
 * insertions. A sync that does not fit the maps refuses new service ports until it does, and
 * nothing already programmed is touched for them. Not thread-safe: one sync at a time.
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final DatapathMaps maps;
    private final IdAllocator<ServiceView> serviceIds;
    private final IdAllocator<BackendKey> backendIds;
    private final PlanBuilder builder;
    private final Capacity capacity;
    private DatapathPlan programmed;

    private Reconciler(DatapathMaps maps, IdAllocator<ServiceView> serviceIds, IdAllocator<BackendKey> backendIds,
                       int maglevSize, long maglevSeed, DatapathPlan programmed) {
        this.maps = maps;
        this.serviceIds = serviceIds;
        this.backendIds = backendIds;
        this.builder = new PlanBuilder(serviceIds, backendIds, maglevSize, maglevSeed);
        this.capacity = Capacity.of(maps);
        this.programmed = programmed;
    }

    /**
     * A reconciler that starts from what the maps hold, adopting ids so that a restarted agent
     * keeps programming the same entries. Nothing is removed until the first sync.
     */
    public static Reconciler adopt(DatapathMaps maps, int maglevSize, long maglevSeed) {
        IdAllocator<ServiceView> serviceIds = new IdAllocator<>();
        IdAllocator<BackendKey> backendIds = new IdAllocator<>();
        Map<Integer, BackendValue> backends = maps.backends().lookupBatch();
        backends.forEach((id, backend) -> backendIds.adopt(new BackendKey(backend.address(), backend.port()), id));
        Map<Integer, ServiceName> names = maps.names().lookupBatch();
        names.forEach((id, name) -> serviceIds.adopt(new ServiceView(new ServicePortKey(
                new ServicePortName(name.namespace(), name.name(), name.port()),
                name.family() == 4 ? IpFamily.IPV4 : IpFamily.IPV6), name.scope()), id));
        DatapathPlan found = new DatapathPlan(backends, maps.services().lookupBatch(), Map.of(), names,
                maps.frontends().lookupBatch(), new HashSet<>(maps.sourceRanges().keys()));
        LOG.info("adopted {} services, {} backends, {} frontends from the pinned maps",
                found.services().size(), backends.size(), found.frontends().size());
        return new Reconciler(maps, serviceIds, backendIds, maglevSize, maglevSeed, found);
    }

    /** Programs exactly these service ports. */
    public SyncResult sync(Collection<ServicePort> ports) {
        List<ServicePort> ordered = new ArrayList<>(ports);
        ordered.sort(Comparator.comparing((ServicePort p) -> p.name().toString()).thenComparing(ServicePort::family));
        List<PlanBuilder.PortPlan> plans = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (ServicePort port : ordered) {
            // One port that cannot be planned costs only itself, never the whole sync.
            try {
                PlanBuilder.PortPlan plan = builder.plan(port);
                plans.add(plan);
                refused.addAll(plan.problems());
            } catch (RuntimeException e) {
                LOG.error("cannot plan service port {} ({})", port.name(), port.family(), e);
                refused.add("service port " + port.name() + " (" + port.family() + ") refused: " + e.getMessage());
            }
        }
        DatapathPlan desired = merge(plans);
        // Refuse new ports, newest-looking last first, until what remains fits every map.
        while (true) {
            String overflow = capacity.overflow(desired);
            if (overflow == null) {
                break;
            }
            PlanBuilder.PortPlan victim = plans.reversed().stream()
                    .filter(plan -> plan.views().values().stream().noneMatch(programmed.services()::containsKey))
                    .findFirst().orElse(null);
            if (victim == null) {
                refused.add("maps cannot hold the programmed services any more: " + overflow);
                desired = programmed;
                break;
            }
            plans.remove(victim);
            refused.add("service port " + victim.port().name() + " (" + victim.port().family() + ") refused: " + overflow);
            desired = merge(plans);
        }
        refused.forEach(reason -> LOG.error("{}", reason));

        List<String> errors = new ArrayList<>();
        apply(programmed, desired, errors);
        programmed = desired;
        Set<ServiceView> liveViews = new HashSet<>();
        plans.forEach(plan -> liveViews.addAll(plan.views().keySet()));
        serviceIds.retainOnly(liveViews);
        builder.retainTables(liveViews);
        Set<BackendKey> liveBackends = new HashSet<>();
        desired.backends().values().forEach(b -> liveBackends.add(new BackendKey(b.address(), b.port())));
        backendIds.retainOnly(liveBackends);
        return new SyncResult(desired.services().size(), desired.backends().size(), desired.frontends().size(),
                refused, errors);
    }

    private static DatapathPlan merge(List<PlanBuilder.PortPlan> plans) {
        Map<Integer, BackendValue> backends = new HashMap<>();
        Map<Integer, ServiceValue> services = new HashMap<>();
        Map<Integer, int[]> tables = new HashMap<>();
        Map<Integer, ServiceName> names = new HashMap<>();
        Map<FrontendKey, FrontendValue> frontends = new LinkedHashMap<>();
        Set<SourceRangeKey> ranges = new HashSet<>();
        for (PlanBuilder.PortPlan plan : plans) {
            DatapathPlan p = plan.plan();
            backends.putAll(p.backends());
            services.putAll(p.services());
            tables.putAll(p.tables());
            names.putAll(p.names());
            frontends.putAll(p.frontends());
            ranges.addAll(p.sourceRanges());
        }
        return new DatapathPlan(backends, services, tables, names, frontends, ranges);
    }

    private void apply(DatapathPlan from, DatapathPlan to, List<String> errors) {
        changed(from.backends(), to.backends()).forEach((id, value) ->
                attempt(errors, "backend " + id, () -> maps.backends().put(id, value)));
        Map<Integer, int[]> tables = new LinkedHashMap<>();
        to.tables().forEach((id, slots) -> {
            if (!Arrays.equals(slots, from.tables().get(id))) {
                tables.put(id, slots);
            }
        });
        maps.putMaglevTables(tables).forEach((id, e) -> {
            String error = "cannot program Maglev table of service " + id + ": " + e.getMessage();
            LOG.error("{}", error);
            errors.add(error);
        });
        List<Integer> emptied = new ArrayList<>();
        changed(from.services(), to.services()).forEach((id, value) -> {
            attempt(errors, "service " + id, () -> maps.services().put(id, value));
            // A service that lost its last backend stops pointing at its table before it goes.
            if (value.maglevSize() == 0 && from.services().containsKey(id)) {
                emptied.add(id);
            }
        });
        attempt(errors, "Maglev tables of emptied services " + emptied, () -> maps.removeMaglevTables(emptied));
        changed(from.names(), to.names()).forEach((id, value) ->
                attempt(errors, "name of service " + id, () -> maps.names().put(id, value)));
        changed(from.frontends(), to.frontends()).forEach((key, value) ->
                attempt(errors, "frontend " + key, () -> maps.frontends().put(key, value)));
        for (SourceRangeKey range : to.sourceRanges()) {
            if (!from.sourceRanges().contains(range)) {
                attempt(errors, "source range " + range, () -> maps.sourceRanges().put(range, (byte) 1));
            }
        }

        for (SourceRangeKey range : from.sourceRanges()) {
            if (!to.sourceRanges().contains(range)) {
                attempt(errors, "source range " + range, () -> maps.sourceRanges().delete(range));
            }
        }
        removed(from.frontends(), to.frontends()).forEach(key ->
                attempt(errors, "frontend " + key, () -> maps.frontends().delete(key)));
        List<Integer> removedServices = removed(from.services(), to.services());
        removedServices.forEach(id -> attempt(errors, "service " + id, () -> maps.services().delete(id)));
        attempt(errors, "Maglev tables of removed services " + removedServices, () -> maps.removeMaglevTables(removedServices));
        removedServices.forEach(id -> attempt(errors, "name of service " + id, () -> maps.names().delete(id)));
        removed(from.names(), to.names()).forEach(id ->
                attempt(errors, "name of service " + id, () -> maps.names().delete(id)));
        removed(from.backends(), to.backends()).forEach(id ->
                attempt(errors, "backend " + id, () -> maps.backends().delete(id)));
    }

    private static <K, V> Map<K, V> changed(Map<K, V> from, Map<K, V> to) {
        Map<K, V> changed = new LinkedHashMap<>();
        to.forEach((key, value) -> {
            if (!Objects.equals(value, from.get(key))) {
                changed.put(key, value);
            }
        });
        return changed;
    }

    private static <K> List<K> removed(Map<K, ?> from, Map<K, ?> to) {
        return from.keySet().stream().filter(key -> !to.containsKey(key)).toList();
    }

    private static void attempt(List<String> errors, String what, Runnable operation) {
        try {
            operation.run();
        } catch (BpfException | IllegalStateException e) {
            String error = "cannot program " + what + ": " + e.getMessage();
            LOG.error("{}", error);
            errors.add(error);
        }
    }
}
