package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import dev.sluice.control.maglev.MaglevTable;
import dev.sluice.control.model.Cidr;
import dev.sluice.control.model.Endpoint;
import dev.sluice.control.model.Frontend;
import dev.sluice.control.model.FrontendKind;
import dev.sluice.control.model.IpFamily;
import dev.sluice.control.model.ServicePort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns service ports into datapath map contents: a service (with its own Maglev table) per view
 * of each port, frontends pointing at the view their traffic policy calls for, backends for every
 * endpoint a table names.
 */
final class PlanBuilder {
    private static final Map<FrontendKind, Integer> KINDS = Map.of(
            FrontendKind.CLUSTER_IP, FrontendValue.CLUSTER_IP, FrontendKind.NODE_PORT, FrontendValue.NODE_PORT,
            FrontendKind.LOAD_BALANCER, FrontendValue.LOAD_BALANCER, FrontendKind.EXTERNAL_IP, FrontendValue.EXTERNAL_IP);

    private final IdAllocator<ServiceView> serviceIds;
    private final IdAllocator<BackendKey> backendIds;
    private final int maglevSize;
    private final long maglevSeed;
    /**
     * The last table built per view. A table is a function of its backends (Maglev ids and the
     * backend ids they map to) alone, so an unchanged backend set reuses the very same array:
     * no Maglev build, and the Reconciler's comparison sees the same instance.
     */
    private final Map<ServiceView, CachedTable> tableCache = new HashMap<>();

    private record CachedTable(List<String> maglevIds, int[] backendIds, int[] slots) {
        static final CachedTable EMPTY = new CachedTable(List.of(), new int[0], new int[0]);

        int backendCount() {
            return (int) java.util.Arrays.stream(backendIds).distinct().count();
        }
    }

    PlanBuilder(IdAllocator<ServiceView> serviceIds, IdAllocator<BackendKey> backendIds, int maglevSize, long maglevSeed) {
        this.serviceIds = serviceIds;
        this.backendIds = backendIds;
        this.maglevSize = maglevSize;
        this.maglevSeed = maglevSeed;
    }

    /** What programming these ports takes, with the views and backends each port owns. */
    record PortPlan(ServicePort port, Map<ServiceView, Integer> views, DatapathPlan plan, List<String> problems) {
    }

    PortPlan plan(ServicePort port) {
        Map<Integer, BackendValue> backends = new HashMap<>();
        Map<Integer, ServiceValue> services = new HashMap<>();
        Map<Integer, int[]> tables = new HashMap<>();
        Map<Integer, ServiceName> names = new HashMap<>();
        Map<FrontendKey, FrontendValue> frontends = new LinkedHashMap<>();
        Set<SourceRangeKey> ranges = new HashSet<>();
        Map<ServiceView, Integer> views = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();

        for (Frontend frontend : port.frontends()) {
            boolean local = frontend.kind().external() ? port.externalTrafficLocal() : port.internalTrafficLocal();
            boolean ranged = frontend.kind() == FrontendKind.LOAD_BALANCER && !port.loadBalancerSourceRanges().isEmpty();
            ServiceView view = new ServiceView(port.key(), (local ? ServiceView.LOCAL : 0) | (ranged ? ServiceView.SOURCE_RANGES : 0));
            int serviceId = views.computeIfAbsent(view, v -> {
                int id = serviceIds.idOf(v);
                List<Endpoint> endpoints = v.local() ? port.localEndpoints() : port.clusterEndpoints();
                if (endpoints.size() >= maglevSize) {
                    problems.add("service port " + port.name() + " (" + port.family() + (v.local() ? ", local" : "")
                            + ") has " + endpoints.size() + " endpoints, more than its Maglev table of " + maglevSize
                            + " slots can hold; new flows go to " + (maglevSize - 1) + " of them (--maglev-table-size)");
                }
                CachedTable table = table(v, endpoints, backends);
                if (table.slots().length > 0) {
                    tables.put(id, table.slots());
                }
                // Every backend of a Maglev table owns at least one slot (fewer backends than slots).
                services.put(id, new ServiceValue(flags(port, v), port.affinityTimeoutSeconds(), table.slots().length,
                        table.backendCount()));
                names.put(id, new ServiceName(port.name().namespace(), port.name().name(), port.name().port(),
                        v.scope(), port.family() == IpFamily.IPV4 ? 4 : 6, port.protocol().number()));
                if (v.sourceRanged()) {
                    for (Cidr cidr : port.loadBalancerSourceRanges()) {
                        if (cidr.family() == port.family()) {
                            ranges.add(new SourceRangeKey(id, cidr.address(), cidr.prefixLength()));
                        }
                    }
                }
                return id;
            });
            frontends.put(new FrontendKey(frontend.address(), frontend.port(), frontend.protocol().number()),
                    new FrontendValue(serviceId, KINDS.get(frontend.kind())));
        }
        return new PortPlan(port, views, new DatapathPlan(backends, services, tables, names, frontends, ranges),
                List.copyOf(problems));
    }

    /** Forgets the tables of views that no longer exist. */
    void retainTables(Set<ServiceView> live) {
        tableCache.keySet().retainAll(live);
    }

    private static int flags(ServicePort port, ServiceView view) {
        int flags = 0;
        if (port.affinityTimeoutSeconds() > 0) {
            flags |= ServiceValue.F_AFFINITY;
        }
        if (view.local()) {
            // Local policies keep the client address and drop rather than leave the node.
            flags |= ServiceValue.F_NO_SNAT | ServiceValue.F_DROP_EMPTY;
        }
        if (view.sourceRanged()) {
            flags |= ServiceValue.F_SOURCE_RANGES;
        }
        return flags;
    }

    /**
     * The Maglev table over these endpoints, as backend ids, registering the backends it names.
     * A table holds fewer backends than slots: beyond that, the endpoints first in Maglev id order
     * are kept (the same ones on every node), rather than failing the whole sync.
     */
    private CachedTable table(ServiceView view, List<Endpoint> endpoints, Map<Integer, BackendValue> backends) {
        if (endpoints.isEmpty()) {
            tableCache.remove(view);
            return CachedTable.EMPTY;
        }
        if (endpoints.size() >= maglevSize) {
            endpoints = endpoints.stream()
                    .sorted(java.util.Comparator.comparing(e -> new BackendKey(e.address(), e.port()).maglevId()))
                    .limit(maglevSize - 1L)
                    .toList();
        }
        Map<String, Integer> idByMaglevId = new HashMap<>();
        List<String> maglevIds = new ArrayList<>(endpoints.size());
        int[] ids = new int[endpoints.size()];
        for (Endpoint endpoint : endpoints) {
            BackendKey key = new BackendKey(endpoint.address(), endpoint.port());
            int id = backendIds.idOf(key);
            int flags = (endpoint.local() ? BackendValue.F_LOCAL : 0) | (endpoint.terminating() ? BackendValue.F_TERMINATING : 0);
            backends.put(id, new BackendValue(endpoint.address(), endpoint.port(), flags));
            idByMaglevId.put(key.maglevId(), id);
            ids[maglevIds.size()] = id;
            maglevIds.add(key.maglevId());
        }
        CachedTable cached = tableCache.get(view);
        if (cached != null && cached.maglevIds().equals(maglevIds) && java.util.Arrays.equals(cached.backendIds(), ids)) {
            return cached;
        }
        MaglevTable table = MaglevTable.build(maglevIds, maglevSize, maglevSeed);
        List<String> canonical = table.backends();
        int[] slots = new int[table.size()];
        for (int slot = 0; slot < slots.length; slot++) {
            slots[slot] = idByMaglevId.get(canonical.get(table.backendIndexAt(slot)));
        }
        CachedTable built = new CachedTable(List.copyOf(maglevIds), ids, slots);
        tableCache.put(view, built);
        return built;
    }
}
