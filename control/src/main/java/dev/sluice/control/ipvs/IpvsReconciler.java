package dev.sluice.control.ipvs;

import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import dev.sluice.control.sync.ServiceProgrammer;
import dev.sluice.control.sync.SyncResult;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the kernel's IPVS table, the dummy interface's VIPs and the firewall to the plan of the
 * desired service ports, writing only differences.
 *
 * <p>What was written successfully is remembered ({@code written}); an incremental
 * {@link #update} compares the plan with that memory alone, while {@link #sync} and
 * {@link #resync} read the kernel back first (the repair path). A write that fails marks its
 * service or VIP dirty: it is read back from the kernel and compared again by the next reconcile
 * of any kind ({@link #retry} when nothing else comes), and reported until it succeeds.
 *
 * <p>Ownership (IPVS has no owner field): a virtual service is sluice's when its address is on
 * the dummy interface, when the state store ({@link IpvsStateFile}) lists it, or when this
 * reconciler planned or wrote it since it started. Only those are changed or deleted; anything
 * else in the table is left alone. The store is what makes a NodePort service (on a node address,
 * not on the dummy) whose Service was deleted while no agent ran still sluice's to delete: a
 * service is recorded before it is added and forgotten only after it is deleted, so a crash in
 * between leaves it recorded, never unowned.
 *
 * <p>Order: VIPs are added before their services, services before their destinations; removals
 * come after every addition, VIPs last. Not thread-safe: one reconcile at a time.
 */
public final class IpvsReconciler implements ServiceProgrammer {
    private static final Logger LOG = LoggerFactory.getLogger(IpvsReconciler.class);

    private final IpvsKernel kernel;
    private final IpvsFirewall firewall;
    private final String scheduler;
    private final IpvsStateStore store;
    /** What the store should hold: every service sluice may have in the kernel. */
    private final Map<IpvsServiceKey, OwnedService> owned = new HashMap<>();
    /** What the store last accepted; null until the first write, so the first reconcile always writes. */
    private Set<OwnedService> stored;
    private boolean readFailed;
    private final Map<ServicePortKey, ServicePort> ports = new TreeMap<>();
    /** What sluice believes the kernel holds for the services it owns: configuration and destinations. */
    private final Map<IpvsServiceKey, Written> written = new HashMap<>();
    private final Set<InetAddress> writtenVips = new LinkedHashSet<>();
    /** Every service key this reconciler planned or wrote: its own even when not on the dummy. */
    private final Set<IpvsServiceKey> known = new HashSet<>();
    private final Set<IpvsServiceKey> dirty = new HashSet<>();
    private final Map<String, String> errors = new TreeMap<>();
    private FirewallPlan writtenFirewall;
    private IpvsPlan plan = IpvsPlan.empty();
    private int writes;

    /** @param scheduler "mh" where the kernel has it, else "rr" */
    public IpvsReconciler(IpvsKernel kernel, IpvsFirewall firewall, String scheduler) {
        this(kernel, firewall, scheduler, IpvsStateStore.NONE);
    }

    /**
     * @param store what an earlier agent recorded is adopted (read back, kept when planned, deleted
     *     when not); what this one owns is written there
     */
    public IpvsReconciler(IpvsKernel kernel, IpvsFirewall firewall, String scheduler, IpvsStateStore store) {
        this.kernel = Objects.requireNonNull(kernel, "IPVS kernel");
        this.firewall = Objects.requireNonNull(firewall, "IPVS firewall");
        this.scheduler = Objects.requireNonNull(scheduler, "IPVS scheduler");
        this.store = Objects.requireNonNull(store, "IPVS state store");
        try {
            store.read().forEach(service -> owned.put(service.key(), service));
        } catch (RuntimeException e) {
            // Refusing to start would take the node's services down over a bookkeeping file; the
            // dummy-link rule still finds every ClusterIP, only unlisted NodePorts stay behind.
            LOG.warn("IPVS: ignoring the recorded state, services it listed that are not on {} are no longer "
                    + "recognised as sluice's: {}", NetlinkIpvsKernel.DUMMY, e.getMessage());
        }
        known.addAll(owned.keySet());
        if (!owned.isEmpty()) {
            LOG.info("IPVS: adopting {} virtual services an earlier agent recorded", owned.size());
        }
    }

    private record Written(IpvsService service, Map<String, IpvsDestination> destinations) {}

    /** Every service port, the kernel read back first: the first sync after start. */
    @Override
    public SyncResult sync(Collection<ServicePort> all) {
        ports.clear();
        all.forEach(port -> ports.put(port.key(), port));
        return reconcile(true);
    }

    /** The periodic repair: like {@link #sync}. */
    @Override
    public SyncResult resync(Collection<ServicePort> all) {
        return sync(all);
    }

    /** Changed service ports (null: removed), compared with what was written. */
    @Override
    public SyncResult update(Map<ServicePortKey, ServicePort> changed) {
        changed.forEach((key, port) -> {
            if (port == null) {
                ports.remove(key);
            } else {
                ports.put(key, port);
            }
        });
        return reconcile(false);
    }

    /** Failed writes again, nothing else changed. */
    @Override
    public SyncResult retry() {
        return reconcile(false);
    }

    @Override
    public String datapath() {
        return "ipvs";
    }

    public String scheduler() {
        return scheduler;
    }

    private SyncResult reconcile(boolean readKernel) {
        writes = 0;
        errors.clear();
        readFailed = false;
        plan = IpvsPlanner.plan(ports.values(), scheduler);
        known.addAll(plan.services().keySet());
        // Recorded before any of them is added: a crash after the add must not leave it unowned.
        plan.services().values().forEach(planned -> owned.put(planned.service().key(),
                OwnedService.of(planned, ports.get(planned.owner()))));
        store();
        if (readKernel) {
            readBack();
        } else {
            dirty.forEach(this::readBack);
        }
        dirty.clear();
        if (readKernel || !plan.vips().equals(writtenVips)) {
            try {
                Set<InetAddress> onDummy = kernel.vips();
                writtenVips.clear();
                writtenVips.addAll(onDummy);
            } catch (RuntimeException e) {
                errors.put("read VIPs", "VIPs on the dummy interface: read failed: " + e.getMessage());
            }
        }
        for (InetAddress vip : plan.vips()) {
            if (!writtenVips.contains(vip)) {
                attempt("VIP " + vip.getHostAddress(), "add", () -> {
                    kernel.addVip(vip);
                    writtenVips.add(vip);
                });
            }
        }
        plan.services().values().forEach(this::program);
        for (IpvsServiceKey key : List.copyOf(written.keySet())) {
            if (!plan.services().containsKey(key)) {
                if (!attempt("IPVS service " + key, "delete", () -> {
                    kernel.deleteService(key);
                    written.remove(key);
                })) {
                    dirty.add(key);
                }
            }
        }
        for (InetAddress vip : List.copyOf(writtenVips)) {
            if (!plan.vips().contains(vip)) {
                attempt("VIP " + vip.getHostAddress(), "remove", () -> {
                    kernel.removeVip(vip);
                    writtenVips.remove(vip);
                });
            }
        }
        if (!plan.firewall().equals(writtenFirewall)) {
            attempt("nftables table", "write", () -> {
                firewall.apply(plan.firewall());
                writtenFirewall = plan.firewall();
            });
        } else if (readKernel) {
            // The table is not read back: a full sync rewrites it whole, which repairs any drift.
            // Not counted as a write: nothing is known to have differed.
            try {
                firewall.apply(plan.firewall());
            } catch (RuntimeException e) {
                writtenFirewall = null;
                errors.put("nftables table write", "nftables table: write failed: " + e.getMessage());
            }
        }
        if (!readFailed) {
            // Forgotten only once gone: neither planned, nor written (deleted or never there), nor unsure.
            owned.keySet().removeIf(key -> !plan.services().containsKey(key) && !written.containsKey(key)
                    && !dirty.contains(key));
        }
        store();
        int destinations = written.values().stream().mapToInt(w -> w.destinations().size()).sum();
        if (!errors.isEmpty()) {
            LOG.warn("IPVS: {} writes failed, retried at the next sync: {}", errors.size(), errors.values());
        }
        return new SyncResult(written.size(), destinations, written.size(), List.of(), plan.conflicts(), List.of(),
                List.copyOf(errors.values()), writes);
    }

    private void program(PlannedService planned) {
        IpvsServiceKey key = planned.service().key();
        Written current = written.get(key);
        boolean ok;
        if (current == null) {
            ok = attempt("IPVS service " + key, "add", () -> {
                kernel.addService(planned.service());
                written.put(key, new Written(planned.service(), new LinkedHashMap<>()));
            });
        } else if (!current.service().equals(planned.service())) {
            ok = attempt("IPVS service " + key, "update (scheduler, flags, timeout)", () -> {
                kernel.updateService(planned.service());
                written.put(key, new Written(planned.service(), current.destinations()));
            });
        } else {
            ok = true;
        }
        if (!ok) {
            dirty.add(key);
            return;
        }
        Map<String, IpvsDestination> have = written.get(key).destinations();
        planned.destinations().forEach((id, destination) -> {
            IpvsDestination old = have.get(id);
            if (old == null || !old.equals(destination)) {
                if (!attempt("IPVS service " + key + " destination " + id, old == null ? "add" : "update weight", () -> {
                    if (old == null) {
                        kernel.addDestination(key, destination);
                    } else {
                        kernel.updateDestination(key, destination);
                    }
                    have.put(id, destination);
                })) {
                    dirty.add(key);
                }
            }
        });
        for (Map.Entry<String, IpvsDestination> old : List.copyOf(have.entrySet())) {
            if (!planned.destinations().containsKey(old.getKey())) {
                if (!attempt("IPVS service " + key + " destination " + old.getKey(), "delete", () -> {
                    kernel.deleteDestination(key, old.getValue());
                    have.remove(old.getKey());
                })) {
                    dirty.add(key);
                }
            }
        }
    }

    /** Rebuilds the memory of every owned service from the kernel. */
    private void readBack() {
        Set<InetAddress> onDummy;
        List<IpvsService> services;
        try {
            onDummy = kernel.vips();
            services = kernel.services();
        } catch (RuntimeException e) {
            readFailed = true;
            errors.put("read", "reading the IPVS table back failed: " + e.getMessage());
            return;
        }
        written.clear();
        for (IpvsService service : services) {
            IpvsServiceKey key = service.key();
            if (onDummy.contains(key.address()) || known.contains(key)) {
                known.add(key);
                readBack(key, service);
            }
        }
    }

    private void readBack(IpvsServiceKey key) {
        try {
            kernel.service(key).ifPresentOrElse(service -> readBack(key, service), () -> written.remove(key));
        } catch (RuntimeException e) {
            written.remove(key);
            errors.put("read " + key, "IPVS service " + key + ": read back failed: " + e.getMessage());
        }
    }

    private void readBack(IpvsServiceKey key, IpvsService service) {
        try {
            Map<String, IpvsDestination> destinations = new LinkedHashMap<>();
            for (IpvsDestination destination : kernel.destinations(key)) {
                destinations.put(PlannedService.destinationId(destination), destination.withoutStats());
            }
            written.put(key, new Written(service, destinations));
        } catch (RuntimeException e) {
            // Unknown destinations: remembered as none, so each planned one is (re)added; the kernel
            // says EEXIST for those it has, which marks the service dirty and reads it again.
            written.put(key, new Written(service, new LinkedHashMap<>()));
            errors.put("read " + key, "IPVS service " + key + ": reading destinations failed: " + e.getMessage());
        }
    }

    /** Writes the owned set when it differs from what the store holds; a failure is retried next reconcile. */
    private void store() {
        Set<OwnedService> now = new HashSet<>(owned.values());
        if (now.equals(stored)) {
            return;
        }
        try {
            store.write(List.copyOf(now));
            stored = now;
        } catch (RuntimeException e) {
            errors.put("state write", e.getMessage());
        }
    }

    /** What sluice owns in the kernel, as the state store records it. */
    public List<OwnedService> owned() {
        return List.copyOf(owned.values());
    }

    /** Runs one kernel write; a failure is recorded under {@code object} and leaves the memory as it was. */
    private boolean attempt(String object, String action, Runnable write) {
        try {
            write.run();
            writes++;
            return true;
        } catch (RuntimeException e) {
            errors.put(object + " " + action, object + ": " + action + " failed: " + e.getMessage());
            return false;
        }
    }

    /** The current plan, for status and the CLI. */
    public IpvsPlan plan() {
        return plan;
    }
}
