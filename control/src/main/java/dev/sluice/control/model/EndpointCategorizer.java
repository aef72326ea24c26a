package dev.sluice.control.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * kube-proxy's CategorizeEndpoints (pkg/proxy/topology.go): which endpoints new flows may pick
 * under Cluster and under Local traffic policy. Ready endpoints are used when there are any;
 * otherwise serving-and-terminating ones, decided separately for Cluster and Local. A list the
 * service never uses stays empty.
 */
final class EndpointCategorizer {

    enum TopologyMode { NONE, PREFER_SAME_ZONE, PREFER_SAME_NODE }

    record Categorized(List<Endpoint> cluster, List<Endpoint> local) {}

    private EndpointCategorizer() {}

    static Categorized categorize(List<EndpointCandidate> candidates, PortBlueprint port, NodeContext node) {
        if (candidates.isEmpty()) {
            return new Categorized(List.of(), List.of());
        }
        List<Endpoint> cluster = List.of();
        if (port.usesClusterEndpoints()) {
            TopologyMode mode = topologyMode(candidates, node);
            cluster = filter(candidates, c -> c.endpoint().ready() && availableForTopology(c, mode, node));
            if (cluster.isEmpty()) {
                // Topology was already ignored if it left no ready endpoint, so no ready one exists anywhere.
                cluster = filter(candidates, c -> c.endpoint().servingTerminating());
            }
        }
        List<Endpoint> local = List.of();
        if (port.usesLocalEndpoints()) {
            local = filter(candidates, c -> c.endpoint().local() && c.endpoint().ready());
            if (local.isEmpty()) {
                local = filter(candidates, c -> c.endpoint().local() && c.endpoint().servingTerminating());
            }
        }
        return new Categorized(cluster, local);
    }

    /**
     * topologyModeFromHints with PreferSameTrafficDistribution on (beta, default on since 1.34):
     * hints are honoured only when every ready endpoint carries one and at least one names this
     * node (or zone); otherwise traffic goes everywhere rather than nowhere.
     */
    static TopologyMode topologyMode(List<EndpointCandidate> candidates, NodeContext node) {
        boolean anyReady = false;
        boolean allNodeHints = true;
        boolean forThisNode = false;
        boolean allZoneHints = true;
        boolean forThisZone = false;
        for (EndpointCandidate c : candidates) {
            if (!c.endpoint().ready()) {
                continue;
            }
            anyReady = true;
            if (c.nodeHints().isEmpty()) {
                allNodeHints = false;
            } else if (c.nodeHints().contains(node.nodeName())) {
                forThisNode = true;
            }
            if (c.zoneHints().isEmpty()) {
                allZoneHints = false;
            } else if (node.zone() != null && c.zoneHints().contains(node.zone())) {
                forThisZone = true;
            }
        }
        if (!anyReady) {
            return TopologyMode.NONE;
        }
        if (allNodeHints && forThisNode) {
            return TopologyMode.PREFER_SAME_NODE;
        }
        if (allZoneHints && forThisZone) {
            return TopologyMode.PREFER_SAME_ZONE;
        }
        return TopologyMode.NONE;
    }

    private static boolean availableForTopology(EndpointCandidate c, TopologyMode mode, NodeContext node) {
        return switch (mode) {
            case NONE -> true;
            case PREFER_SAME_NODE -> c.nodeHints().contains(node.nodeName());
            case PREFER_SAME_ZONE -> c.zoneHints().contains(node.zone());
        };
    }

    private static List<Endpoint> filter(List<EndpointCandidate> candidates, Predicate<EndpointCandidate> keep) {
        List<Endpoint> kept = new ArrayList<>();
        for (EndpointCandidate c : candidates) {
            if (keep.test(c)) {
                kept.add(c.endpoint());
            }
        }
        return kept;
    }
}
