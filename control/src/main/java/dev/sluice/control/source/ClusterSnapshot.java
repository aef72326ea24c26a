package dev.sluice.control.source;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;

/**
 * Everything a source knows at one moment. Lists are immutable; the objects in them are shared
 * with the source and must not be modified.
 *
 * @param node this node's Node object, null when unknown
 * @param problems what the source could not read (e.g. a malformed manifest document), one
 *     human-readable line each; empty when all is well
 * @param revision what the snapshot was built from, for whoever must know that a given change is
 *     programmed (the manifest source: a digest of the applied file contents); null when the source
 *     has no such name for it
 */
public record ClusterSnapshot(List<Service> services, List<EndpointSlice> slices, Node node, List<String> problems,
                              String revision) {

    public ClusterSnapshot {
        services = List.copyOf(services);
        slices = List.copyOf(slices);
        problems = List.copyOf(problems);
    }

    public ClusterSnapshot(List<Service> services, List<EndpointSlice> slices, Node node) {
        this(services, slices, node, List.of(), null);
    }
}
