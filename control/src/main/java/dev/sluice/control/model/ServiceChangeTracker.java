package dev.sluice.control.model;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link ProxySemantics} kept up to date one Service at a time, as kube-proxy's
 * ServiceChangeTracker and EndpointsChangeTracker do: each update finds the objects that are not
 * the very instances of the previous update (sources share unchanged objects), recomputes only the
 * Services whose Service or EndpointSlices changed (every one when the node changed), and
 * returns the service ports that differ. The result always equals {@code ProxySemantics.compute}
 * over the same objects. Not thread-safe.
 */
public final class ServiceChangeTracker {
    /** What one Service (or one EndpointSlice that names no Service) yields. */
    private record Group(List<ServicePortKey> ports, List<ValidationError> errors) {}

    private NodeContext node;
    private final ObjectsByName<Service> services = new ObjectsByName<>();
    private final ObjectsByName<EndpointSlice> slices = new ObjectsByName<>();
    private final Map<String, Set<String>> slicesByGroup = new HashMap<>();
    private final Map<String, Group> groups = new TreeMap<>();
    private final Map<ServicePortKey, ServicePort> ports = new TreeMap<>();
    private List<ValidationError> errors = List.of();

    /**
     * Takes the current objects; returns each service port that changed (its new content) or
     * went (null), in key order.
     */
    public Map<ServicePortKey, ServicePort> update(Collection<Service> newServices, Collection<EndpointSlice> newSlices,
                                                   NodeContext newNode) {
        Objects.requireNonNull(newNode, "node");
        Set<String> dirty = new HashSet<>();
        Set<String> changedServices = services.update(newServices);
        Set<String> changedSlices = slices.update(newSlices);
        for (String slice : changedSlices) {
            move(slice, slices.before(slice), slices.now(slice), dirty);
        }
        dirty.addAll(changedServices);
        if (!newNode.equals(node)) {
            dirty.addAll(groups.keySet());
            dirty.addAll(services.names());
            dirty.addAll(slicesByGroup.keySet());
        }
        node = newNode;

        Map<ServicePortKey, ServicePort> changed = new TreeMap<>();
        boolean errorsChanged = false;
        for (String group : dirty) {
            errorsChanged |= recompute(group, changed);
        }
        if (errorsChanged) {
            List<ValidationError> all = new ArrayList<>();
            groups.values().forEach(g -> all.addAll(g.errors()));
            errors = List.copyOf(all);
        }
        return changed;
    }

    /** Forgets everything, so that the next update recomputes every Service. */
    public void reset() {
        node = null;
    }

    /** Every programmable service port now, in key order. */
    public Map<ServicePortKey, ServicePort> ports() {
        return Collections.unmodifiableMap(ports);
    }

    /** What could not be used, grouped by Service. */
    public List<ValidationError> errors() {
        return errors;
    }

    private boolean recompute(String group, Map<ServicePortKey, ServicePort> changed) {
        List<Service> groupServices = services.now(group);
        List<EndpointSlice> groupSlices = new ArrayList<>();
        slicesByGroup.getOrDefault(group, Set.of()).forEach(name -> groupSlices.addAll(slices.now(name)));
        DesiredState state = ProxySemantics.compute(groupServices, groupSlices, node);
        Group before = groups.remove(group);
        for (ServicePort port : state.ports().values()) {
            // An equal port keeps its old instance, which the reconciler shares: one copy in the heap.
            if (!port.equals(ports.get(port.key()))) {
                ports.put(port.key(), port);
                changed.put(port.key(), port);
            }
        }
        if (before != null) {
            for (ServicePortKey key : before.ports()) {
                if (!state.ports().containsKey(key)) {
                    ports.remove(key);
                    changed.put(key, null);
                }
            }
        }
        if (!state.ports().isEmpty() || !state.errors().isEmpty()) {
            groups.put(group, new Group(List.copyOf(state.ports().keySet()), state.errors()));
        }
        return !(before == null ? List.of() : before.errors()).equals(state.errors());
    }

    /** Moves a slice from the group it named to the group it names now, marking both dirty. */
    private void move(String slice, List<EndpointSlice> before, List<EndpointSlice> after, Set<String> dirty) {
        if (!before.isEmpty()) {
            String group = groupOf(slice, before);
            Set<String> members = slicesByGroup.get(group);
            if (members != null) {
                members.remove(slice);
                if (members.isEmpty()) {
                    slicesByGroup.remove(group);
                }
            }
            dirty.add(group);
        }
        if (!after.isEmpty()) {
            String group = groupOf(slice, after);
            slicesByGroup.computeIfAbsent(group, g -> new HashSet<>()).add(slice);
            dirty.add(group);
        }
    }

    /** The Service a slice belongs to ("ns/name"), or the slice itself when it names none. */
    private static String groupOf(String sliceName, List<EndpointSlice> copies) {
        EndpointSlice slice = copies.getFirst();
        Map<String, String> labels = slice.getMetadata() == null ? null : slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(KubernetesLabels.SERVICE_NAME);
        if (service == null || service.isEmpty()) {
            return "slice " + sliceName;
        }
        String namespace = Objects.requireNonNullElse(slice.getMetadata().getNamespace(), "default");
        return namespace + "/" + service;
    }
}
