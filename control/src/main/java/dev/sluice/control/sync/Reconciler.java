package dev.sluice.control.sync;

import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.model.IpFamily;
import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import dev.sluice.control.model.ServicePortName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the service maps to the desired service ports. Changes arrive per service port
 * ({@link #update}); only the map entries they touch are compared and written, in an order that
 * never lets the datapath see a dangling reference: backends, then tables, then services and
 * names, then frontends and source ranges; removals in the reverse order, after all insertions.
 * {@link #sync} compares everything: the repair path, which writes nothing when nothing drifted.
 *
 * <p>A write that fails leaves its entry recorded as it was, so the entry stays dirty: it is
 * retried by the next reconcile of any kind ({@link #retry} when nothing else comes), and it is
 * reported until it succeeds. A port that does not fit the maps is refused and nothing already
 * programmed is touched for it; it is tried again when room may have been freed. Not
 * thread-safe: one reconcile at a time.
 */
public final class Reconciler implements ServiceProgrammer {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Ids cycle through twice as many values as a map holds entries, so a freed id rests a while. */
    private static final int ID_SPACE_PER_ENTRY = 2;

    private final ServiceMaps maps;
    private final IdAllocator<ServiceView> serviceIds;
    private final IdAllocator<BackendKey> backendIds;
    private final PlanBuilder builder;
    private final MapWriter writer;
    private final DesiredMaps desired = new DesiredMaps();
    private final Map<ServicePortKey, PlanBuilder.PortPlan> accepted = new HashMap<>();
    /** Ports left out, with why: retried when room may have been freed. */
    private final Map<ServicePortKey, ServicePort> refusedPorts = new TreeMap<>();
    private final Map<ServicePortKey, String> refusedReasons = new TreeMap<>();
    /** What accepted ports are programmed with but worse than asked, kept per port so a change costs only its own. */
    private final Map<ServicePortKey, List<String>> warnings = new TreeMap<>();
    private final Set<Integer> freedServiceIds = new HashSet<>();
    private final Set<Integer> freedBackendIds = new HashSet<>();

    private Reconciler(ServiceMaps maps, IdAllocator<ServiceView> serviceIds, IdAllocator<BackendKey> backendIds,
                       int maxTableSize, long maglevSeed, MapContents programmed) {
        this.maps = maps;
        this.serviceIds = serviceIds;
        this.backendIds = backendIds;
        this.builder = new PlanBuilder(serviceIds, backendIds, maxTableSize, maglevSeed);
        this.writer = new MapWriter(maps, desired, programmed, maglevSeed);
    }

    public static Reconciler adopt(DatapathMaps maps, int maxTableSize, long maglevSeed) {
        return adopt(ServiceMaps.of(maps), maxTableSize, maglevSeed);
    }

    /**
     * A reconciler that starts from what the maps hold, adopting ids so that a restarted agent
     * keeps programming the same entries, and tables whose recorded digest matches what it
     * would write. Nothing is removed until the first {@link #sync}.
     */
    public static Reconciler adopt(ServiceMaps maps, int maxTableSize, long maglevSeed) {
        MapContents found = MapContents.read(maps);
        IdAllocator<ServiceView> serviceIds = new IdAllocator<>(ID_SPACE_PER_ENTRY * maps.services().capacity());
        IdAllocator<BackendKey> backendIds = new IdAllocator<>(ID_SPACE_PER_ENTRY * maps.backends().capacity());
        found.backends.forEach((id, backend) ->
                backendIds.adopt(new BackendKey(backend.address(), backend.port()), id, backend.generation()));
        // A name without its service (a write that failed) has no generation to keep: it gets a new one.
        found.names.forEach((id, name) -> {
            ServiceValue service = found.services.get(id);
            serviceIds.adopt(view(name), id, service == null ? 0 : service.generation());
        });
        // Generations that nothing adopted still names (an unnamed service, an affinity entry of a
        // service deleted before a restart) are never handed out again either.
        found.services.values().forEach(service -> serviceIds.reserveGenerationsThrough(service.generation()));
        ServiceMaps.RememberedGenerations remembered = maps.rememberedGenerations();
        serviceIds.reserveGenerationsThrough(remembered.service());
        backendIds.reserveGenerationsThrough(remembered.backend());
        long known = found.tables.values().stream().filter(d -> d != MapContents.UNKNOWN_TABLE).count();
        LOG.info("adopted {} services, {} backends, {} frontends, {} tables ({} with a digest) from the pinned maps",
                found.services.size(), found.backends.size(), found.frontends.size(), found.tables.size(), known);
        return new Reconciler(maps, serviceIds, backendIds, maxTableSize, maglevSeed, found);
    }

    private static ServiceView view(ServiceName name) {
        return new ServiceView(new ServicePortKey(new ServicePortName(name.namespace(), name.name(), name.port()),
                name.family() == 4 ? IpFamily.IPV4 : IpFamily.IPV6), name.scope());
    }

    /** Programs exactly these service ports, comparing every entry: the full sync and repair path. */
    @Override
    public SyncResult sync(Collection<ServicePort> ports) {
        Map<ServicePortKey, ServicePort> wanted = new HashMap<>(ports.size() * 2);
        ports.forEach(port -> wanted.put(port.key(), port));
        Map<ServicePortKey, ServicePort> changes = new TreeMap<>();
        wanted.forEach((key, port) -> {
            PlanBuilder.PortPlan plan = accepted.get(key);
            if (plan == null || !plan.port().equals(port)) {
                changes.put(key, port);
            }
        });
        accepted.keySet().stream().filter(key -> !wanted.containsKey(key)).forEach(key -> changes.put(key, null));
        refusedPorts.keySet().removeIf(key -> !wanted.containsKey(key));
        refusedReasons.keySet().removeIf(key -> !wanted.containsKey(key));
        Touched touched = change(changes);
        touched.addAll(writer.everyKey());
        SyncResult result = reconcile(touched, true);
        // Ids a refused or unplannable port took are given back here, where everything is known.
        Set<ServiceView> liveViews = new HashSet<>();
        accepted.values().forEach(plan -> liveViews.addAll(plan.views().keySet()));
        freedServiceIds.addAll(serviceIds.retainOnly(liveViews));
        Set<BackendKey> liveBackends = new HashSet<>();
        desired.backends.winners().values().forEach(b -> liveBackends.add(new BackendKey(b.address(), b.port())));
        freedBackendIds.addAll(backendIds.retainOnly(liveBackends));
        forgetFreedIds();
        return result;
    }

    /**
     * Programs what changed: each key a service port that changed (its new content) or went
     * (null). Only the entries these ports had or now have are compared, plus what failed before.
     */
    @Override
    public SyncResult update(Map<ServicePortKey, ServicePort> changed) {
        Map<ServicePortKey, ServicePort> changes = new TreeMap<>(changed);
        return reconcile(change(changes), false);
    }

    /** Tries again what failed, touching nothing else. */
    @Override
    public SyncResult retry() {
        return reconcile(new Touched(), true);
    }

    /**
     * {@link #sync} after reading the maps again, so that entries changed or deleted behind the
     * agent's back are found and rewritten.
     */
    @Override
    public SyncResult resync(Collection<ServicePort> ports) {
        writer.reread();
        return sync(ports);
    }

    /** Whether some write failed and waits for a retry. */
    public boolean hasFailures() {
        return writer.hasFailures();
    }

    private Touched change(Map<ServicePortKey, ServicePort> changes) {
        Touched touched = new Touched();
        boolean freedRoom = false;
        for (Map.Entry<ServicePortKey, ServicePort> change : changes.entrySet()) {
            freedRoom |= change.getValue() == null || accepted.containsKey(change.getKey());
            apply(change.getKey(), change.getValue(), touched);
        }
        if (freedRoom && !refusedPorts.isEmpty()) {
            for (ServicePort port : List.copyOf(refusedPorts.values())) {
                if (!changes.containsKey(port.key())) {
                    apply(port.key(), port, touched);
                }
            }
        }
        return touched;
    }

    /** Replaces one port's plan, or refuses the new one and keeps the old. */
    private void apply(ServicePortKey key, ServicePort port, Touched touched) {
        PlanBuilder.PortPlan old = accepted.remove(key);
        refusedPorts.remove(key);
        refusedReasons.remove(key);
        warnings.remove(key);
        if (old != null) {
            desired.remove(old, touched);
        }
        if (port == null) {
            release(old, null);
            return;
        }
        PlanBuilder.PortPlan plan;
        try {
            plan = builder.plan(port);
        } catch (RuntimeException e) {
            // One port that cannot be planned costs only itself, never the whole sync.
            LOG.error("cannot plan service port {} ({})", port.name(), port.family(), e);
            refusedReasons.put(key, "service port " + port.name() + " (" + port.family() + ") refused: " + e.getMessage());
            release(old, null);
            return;
        }
        desired.add(plan, touched);
        String overflow = writer.overflow();
        if (overflow == null) {
            accepted.put(key, plan);
            if (!plan.problems().isEmpty()) {
                warnings.put(key, plan.problems());
            }
            release(old, plan);
            return;
        }
        desired.remove(plan, touched);
        release(plan, old);
        if (old != null) {
            desired.add(old, touched);
            accepted.put(key, old);
            if (!old.problems().isEmpty()) {
                warnings.put(key, old.problems());
            }
        }
        refusedPorts.put(key, port);
        refusedReasons.put(key, "service port " + port.name() + " (" + port.family() + ") "
                + (old != null ? "change " : "") + "refused: " + overflow);
    }

    /** Gives back the ids {@code from} held that {@code to} does not. */
    private void release(PlanBuilder.PortPlan from, PlanBuilder.PortPlan to) {
        if (from == null) {
            return;
        }
        for (ServiceView view : from.views().keySet()) {
            if (to == null || !to.views().containsKey(view)) {
                Integer id = serviceIds.release(view);
                if (id != null) {
                    freedServiceIds.add(id);
                }
            }
        }
        from.plan().backends().forEach((id, value) -> {
            if (desired.backends.claimants(id) == 0 && (to == null || !to.plan().backends().containsKey(id))) {
                Integer released = backendIds.release(new BackendKey(value.address(), value.port()));
                if (released != null) {
                    freedBackendIds.add(released);
                }
            }
        });
    }

    /**
     * @param housekeeping also delete what the datapath keeps for freed ids: a walk of the whole
     *     affinity map, left to the periodic syncs and retries so that a change never waits for it
     *     (a freed id is not handed out again for a whole cycle of the id space)
     */
    private SyncResult reconcile(Touched touched, boolean housekeeping) {
        int writes = writer.write(touched);
        if (housekeeping) {
            forgetFreedIds();
        }
        List<String> refused = new ArrayList<>(refusedReasons.values());
        List<String> conflicts = conflicts();
        List<String> warned = new ArrayList<>();
        warnings.values().forEach(warned::addAll);
        return new SyncResult(desired.services.size(), desired.backends.size(), desired.frontends.size(),
                refused, conflicts, warned, writer.failures(), writes);
    }

    private void forgetFreedIds() {
        // An id still in the maps (its delete failed) is not free yet.
        freedServiceIds.removeIf(id -> writer.programmedService(id) || desired.services.containsKey(id));
        freedBackendIds.removeIf(id -> writer.programmedBackend(id) || desired.backends.claimants(id) > 0);
        if (freedServiceIds.isEmpty() && freedBackendIds.isEmpty()) {
            return;
        }
        try {
            maps.forget(Set.copyOf(freedServiceIds), Set.copyOf(freedBackendIds));
            freedServiceIds.clear();
            freedBackendIds.clear();
        } catch (RuntimeException e) {
            LOG.warn("cannot delete the affinity and counters of freed ids yet: {}", e.getMessage());
        }
    }

    private static String service(ServicePortKey port) {
        return port.name().namespace() + "/" + port.name().name();
    }

    private static String describe(FrontendKey key) {
        String protocol = switch (key.protocol()) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 132 -> "SCTP";
            default -> Integer.toString(key.protocol());
        };
        String address = key.address().getHostAddress();
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + key.port() + "/" + protocol;
    }

    private List<String> conflicts() {
        List<String> conflicts = new ArrayList<>();
        for (FrontendKey key : desired.contested) {
            List<Claimant> claimants = desired.frontends.claimantsOf(key);
            for (Claimant loser : claimants.subList(1, claimants.size())) {
                conflicts.add("frontend " + describe(key) + " refused to Service " + service(loser.port())
                        + " (port " + loser.port().name().port() + ", " + loser.port().family().kubernetesName()
                        + "): the older Service " + service(claimants.getFirst().port()) + " has it");
            }
        }
        conflicts.sort(null);
        return conflicts;
    }

    @Override
    public String datapath() {
        return "ebpf";
    }
}
