package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import dev.sluice.control.maglev.TableSizes;
import dev.sluice.control.model.Cidr;
import dev.sluice.control.model.Endpoint;
import dev.sluice.control.model.Frontend;
import dev.sluice.control.model.FrontendKind;
import dev.sluice.control.model.IpFamily;
import dev.sluice.control.model.ServicePort;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one service port into datapath map contents: a service (with its own table) per view of
 * the port, frontends pointing at the view their traffic policy calls for, backends for every
 * endpoint a table names.
 *
 * <p>A view reached through an external frontend (NodePort, LoadBalancer, external IP) gets a
 * Maglev table sized for its backends: another node, or this one after a restart, must send a
 * flow it has no state for to the same backend. A view reached through its ClusterIP alone gets
 * one slot per backend and random selection: its flows start on this node, conntrack pins each
 * to its backend for its life, and no other node ever sees them, so consistent hashing buys
 * nothing and a 10-backend service costs 40 bytes instead of a table.
 */
final class PlanBuilder {
    private static final Map<FrontendKind, Integer> KINDS = Map.of(
            FrontendKind.CLUSTER_IP, FrontendValue.CLUSTER_IP, FrontendKind.NODE_PORT, FrontendValue.NODE_PORT,
            FrontendKind.LOAD_BALANCER, FrontendValue.LOAD_BALANCER, FrontendKind.EXTERNAL_IP, FrontendValue.EXTERNAL_IP);

    private final IdAllocator<ServiceView> serviceIds;
    private final IdAllocator<BackendKey> backendIds;
    private final int maxTableSize;
    private final long maglevSeed;

    PlanBuilder(IdAllocator<ServiceView> serviceIds, IdAllocator<BackendKey> backendIds, int maxTableSize, long maglevSeed) {
        this.serviceIds = serviceIds;
        this.backendIds = backendIds;
        this.maxTableSize = maxTableSize;
        this.maglevSeed = maglevSeed;
    }

    /** What programming this port takes, with the views it owns and what is wrong with it. */
    record PortPlan(ServicePort port, Map<ServiceView, Integer> views, DatapathPlan plan, List<String> problems) {
    }

    PortPlan plan(ServicePort port) {
        Map<ServiceView, List<Frontend>> frontendsByView = new LinkedHashMap<>();
        for (Frontend frontend : port.frontends()) {
            boolean local = frontend.kind().external() ? port.externalTrafficLocal() : port.internalTrafficLocal();
            boolean ranged = frontend.kind() == FrontendKind.LOAD_BALANCER && !port.loadBalancerSourceRanges().isEmpty();
            ServiceView view = new ServiceView(port.key(), (local ? ServiceView.LOCAL : 0) | (ranged ? ServiceView.SOURCE_RANGES : 0));
            frontendsByView.computeIfAbsent(view, v -> new ArrayList<>()).add(frontend);
        }

        Map<Integer, BackendValue> backends = new HashMap<>();
        Map<Integer, ServiceValue> services = new HashMap<>();
        Map<Integer, TablePlan> tables = new HashMap<>();
        Map<Integer, ServiceName> names = new HashMap<>();
        Map<FrontendKey, FrontendValue> frontends = new LinkedHashMap<>();
        Set<SourceRangeKey> ranges = new HashSet<>();
        Map<ServiceView, Integer> views = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();

        frontendsByView.forEach((view, viewFrontends) -> {
            int id = serviceIds.idOf(view);
            views.put(view, id);
            boolean maglev = viewFrontends.stream().anyMatch(f -> f.kind().external());
            List<Endpoint> endpoints = view.local() ? port.localEndpoints() : port.clusterEndpoints();
            TablePlan table = maglev ? maglevTable(port, view, endpoints, backends, problems) : randomTable(endpoints, backends);
            if (table != null) {
                tables.put(id, table);
            }
            int flags = flags(port, view) | (maglev ? 0 : ServiceValue.F_RANDOM);
            int generation = serviceIds.generationOf(view);
            services.put(id, table == null
                    ? new ServiceValue(flags, port.affinityTimeoutSeconds(), 0, 0, generation)
                    : new ServiceValue(flags, port.affinityTimeoutSeconds(), table.size(), table.backendCount(),
                            generation));
            names.put(id, new ServiceName(port.name().namespace(), port.name().name(), port.name().port(),
                    view.scope(), port.family() == IpFamily.IPV4 ? 4 : 6, port.protocol().number()));
            if (view.sourceRanged()) {
                for (Cidr cidr : port.loadBalancerSourceRanges()) {
                    if (cidr.family() == port.family()) {
                        ranges.add(new SourceRangeKey(id, cidr.address(), cidr.prefixLength()));
                    }
                }
            }
            for (Frontend frontend : viewFrontends) {
                frontends.put(new FrontendKey(frontend.address(), frontend.port(), frontend.protocol().number()),
                        new FrontendValue(id, KINDS.get(frontend.kind())));
            }
        });
        return new PortPlan(port, views, new DatapathPlan(backends, services, tables, names, frontends, ranges),
                List.copyOf(problems));
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
     * A Maglev table over these endpoints, about {@value TableSizes#SLOTS_PER_BACKEND} slots per
     * backend up to the ceiling. A table holds fewer backends than slots: beyond that, the
     * endpoints first in Maglev id order are kept (the same ones on every node), rather than
     * failing the whole sync.
     */
    private TablePlan maglevTable(ServicePort port, ServiceView view, List<Endpoint> endpoints,
                                  Map<Integer, BackendValue> backends, List<String> problems) {
        if (endpoints.isEmpty()) {
            return null;
        }
        int size = TableSizes.forBackends(endpoints.size(), maxTableSize);
        String described = "service port " + port.name() + " (" + port.family() + (view.local() ? ", local" : "") + ")";
        if (endpoints.size() >= size) {
            problems.add(described + " has " + endpoints.size() + " endpoints, more than its Maglev table of " + size
                    + " slots can hold; new flows go to " + (size - 1) + " of them (--maglev-table-size)");
            endpoints = endpoints.stream()
                    .sorted(Comparator.comparing(e -> new BackendKey(e.address(), e.port()).maglevId()))
                    .limit(size - 1L)
                    .toList();
        } else if (!TableSizes.balanced(endpoints.size(), size)) {
            problems.add(described + " has " + endpoints.size() + " endpoints: its Maglev table of " + size
                    + " slots cannot balance them within 1% (" + TableSizes.SLOTS_PER_BACKEND
                    + " slots per backend needed; --maglev-table-size)");
        }
        List<String> maglevIds = new ArrayList<>(endpoints.size());
        int[] ids = register(endpoints, backends, maglevIds);
        return TablePlan.maglev(maglevIds, ids, size, maglevSeed);
    }

    private TablePlan randomTable(List<Endpoint> endpoints, Map<Integer, BackendValue> backends) {
        if (endpoints.isEmpty()) {
            return null;
        }
        List<Endpoint> ordered = endpoints.stream()
                .sorted(Comparator.comparing(e -> new BackendKey(e.address(), e.port()).maglevId()))
                .toList();
        List<String> maglevIds = new ArrayList<>(ordered.size());
        int[] ids = register(ordered, backends, maglevIds);
        return TablePlan.random(maglevIds, ids);
    }

    private int[] register(List<Endpoint> endpoints, Map<Integer, BackendValue> backends, List<String> maglevIds) {
        int[] ids = new int[endpoints.size()];
        for (Endpoint endpoint : endpoints) {
            BackendKey key = new BackendKey(endpoint.address(), endpoint.port());
            int id = backendIds.idOf(key);
            int flags = (endpoint.local() ? BackendValue.F_LOCAL : 0) | (endpoint.terminating() ? BackendValue.F_TERMINATING : 0);
            backends.put(id, new BackendValue(endpoint.address(), endpoint.port(), flags, backendIds.generationOf(key)));
            ids[maglevIds.size()] = id;
            maglevIds.add(key.maglevId());
        }
        return ids;
    }
}
