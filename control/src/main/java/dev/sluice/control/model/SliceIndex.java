package dev.sluice.control.model;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointHints;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.ForNode;
import io.fabric8.kubernetes.api.model.discovery.v1.ForZone;
import java.net.InetAddress;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All EndpointSlices merged per (service, family, port name, protocol), deduplicated by address
 * and port the way kube-proxy's endpointslicecache.go does. Each slice is parsed once, so the cost
 * is linear in the number of endpoints however many ports a service has.
 */
final class SliceIndex {

    private static final Logger LOG = LoggerFactory.getLogger(SliceIndex.class);

    private record GroupKey(String namespace, String service, IpFamily family) {}

    private record PortKey(String name, Protocol protocol) {}

    private record AddressPort(InetAddress address, int port) {}

    private static final class Group {
        final Map<PortKey, Map<AddressPort, EndpointCandidate>> byPort = new HashMap<>();
        Instant lastChangeTriggerTime;
    }

    /** One slice endpoint, parsed once and shared by all ports of its slice. */
    private record Parsed(InetAddress address, boolean ready, boolean serving, boolean terminating,
                          String nodeName, String zone, boolean local, Set<String> zoneHints, Set<String> nodeHints) {}

    private final Map<GroupKey, Group> groups = new HashMap<>();

    private SliceIndex() {}

    static SliceIndex build(Collection<EndpointSlice> slices, NodeContext node, List<ValidationError> errors) {
        SliceIndex index = new SliceIndex();
        // kube-proxy walks slices in Go map order; sorting by name makes ties deterministic.
        List<EndpointSlice> sorted = slices.stream()
                .filter(Objects::nonNull)
                .sorted(Comparator.comparing(KubeObjects::describe))
                .toList();
        for (EndpointSlice slice : sorted) {
            try {
                index.add(slice, node, errors);
            } catch (RuntimeException e) {
                LOG.warn("EndpointSlice {} could not be read", KubeObjects.describe(slice), e);
                errors.add(new ValidationError("EndpointSlice " + KubeObjects.describe(slice), "", "unreadable: " + e + "; slice ignored"));
            }
        }
        return index;
    }

    /** Deduplicated endpoints in address order, empty when none. */
    List<EndpointCandidate> endpoints(ServicePortName name, IpFamily family, Protocol protocol) {
        Group group = groups.get(new GroupKey(name.namespace(), name.name(), family));
        if (group == null) {
            return List.of();
        }
        Map<AddressPort, EndpointCandidate> set = group.byPort.get(new PortKey(name.port(), protocol));
        if (set == null) {
            return List.of();
        }
        List<EndpointCandidate> list = new ArrayList<>(set.values());
        list.sort(Comparator.comparing((EndpointCandidate c) -> c.endpoint().address(), IpAddresses.ORDER)
                .thenComparingInt(c -> c.endpoint().port()));
        return list;
    }

    Instant lastChangeTriggerTime(String namespace, String service, IpFamily family) {
        Group group = groups.get(new GroupKey(namespace, service, family));
        return group == null ? null : group.lastChangeTriggerTime;
    }

    private void add(EndpointSlice slice, NodeContext node, List<ValidationError> errors) {
        if (slice.getMetadata() == null || slice.getMetadata().getName() == null) {
            errors.add(new ValidationError("EndpointSlice " + KubeObjects.describe(slice), "metadata.name", "missing; slice ignored"));
            return;
        }
        String namespace = Objects.requireNonNullElse(slice.getMetadata().getNamespace(), "default");
        String sliceName = slice.getMetadata().getName();
        Map<String, String> labels = slice.getMetadata().getLabels();
        // kube-proxy's informer selector excludes these slices too; their service is skipped anyway.
        if (ServiceReader.ignored(labels, node.proxyName())) {
            return;
        }
        IpFamily family = IpFamily.fromKubernetes(slice.getAddressType()).orElse(null);
        if (family == null) {
            return; // FQDN slices: kube-proxy ignores them
        }
        String service = labels == null ? null : labels.get(KubernetesLabels.SERVICE_NAME);
        if (service == null || service.isEmpty()) {
            errors.add(ValidationError.slice(namespace, sliceName, "metadata.labels[" + KubernetesLabels.SERVICE_NAME + "]", "missing; slice ignored"));
            return;
        }

        List<PortValue> ports = ports(slice, namespace, sliceName, errors);
        List<Parsed> endpoints = endpoints(slice, family, node, namespace, sliceName, errors);

        Group group = groups.computeIfAbsent(new GroupKey(namespace, service, family), k -> new Group());
        Instant trigger = lastChangeTriggerTime(slice, namespace, sliceName, errors);
        if (trigger != null && (group.lastChangeTriggerTime == null || trigger.isAfter(group.lastChangeTriggerTime))) {
            group.lastChangeTriggerTime = trigger;
        }
        for (PortValue port : ports) {
            Map<AddressPort, EndpointCandidate> set = group.byPort.computeIfAbsent(port.key, k -> new LinkedHashMap<>());
            for (Parsed p : endpoints) {
                AddressPort key = new AddressPort(p.address, port.number);
                // endpointslicecache.addEndpoints: the first one seen stays unless a later one is
                // not terminating (an IP reused by a new pod beats the terminating old pod).
                if (!set.containsKey(key) || !p.terminating) {
                    Endpoint endpoint = new Endpoint(p.address, port.number, p.ready, p.serving, p.terminating, p.nodeName, p.zone, p.local);
                    set.put(key, new EndpointCandidate(endpoint, p.zoneHints, p.nodeHints));
                }
            }
        }
    }

    private record PortValue(PortKey key, int number) {}

    private static List<PortValue> ports(EndpointSlice slice, String namespace, String sliceName, List<ValidationError> errors) {
        List<EndpointPort> ports = slice.getPorts() == null ? List.of() : slice.getPorts();
        List<PortValue> values = new ArrayList<>(ports.size());
        for (int i = 0; i < ports.size(); i++) {
            EndpointPort port = ports.get(i);
            String field = "ports[" + i + "]";
            if (port == null) {
                continue;
            }
            if (port.getPort() == null) {
                continue; // "all ports": legal, and unsupported by kube-proxy as well
            }
            if (port.getPort() < 1 || port.getPort() > 65535) {
                errors.add(ValidationError.slice(namespace, sliceName, field + ".port", "must be between 1 and 65535, got " + port.getPort() + "; port ignored"));
                continue;
            }
            // API defaults: name "" and protocol TCP; manifests may leave them out.
            String protocolName = Objects.requireNonNullElse(port.getProtocol(), "TCP");
            Protocol protocol = Protocol.fromKubernetes(protocolName).orElse(null);
            if (protocol == null) {
                errors.add(ValidationError.slice(namespace, sliceName, field + ".protocol", "unknown protocol \"" + protocolName + "\"; port ignored"));
                continue;
            }
            values.add(new PortValue(new PortKey(Objects.requireNonNullElse(port.getName(), ""), protocol), port.getPort()));
        }
        return values;
    }

    private static List<Parsed> endpoints(EndpointSlice slice, IpFamily family, NodeContext node, String namespace, String sliceName, List<ValidationError> errors) {
        List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> endpoints = slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
        List<Parsed> parsed = new ArrayList<>(endpoints.size());
        for (int i = 0; i < endpoints.size(); i++) {
            io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint = endpoints.get(i);
            String field = "endpoints[" + i + "]";
            if (endpoint == null || endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
                errors.add(ValidationError.slice(namespace, sliceName, field + ".addresses", "empty; endpoint ignored"));
                continue;
            }
            // kube-proxy only ever uses the first address.
            InetAddress address;
            try {
                address = IpAddresses.parse(endpoint.getAddresses().getFirst());
            } catch (IllegalArgumentException e) {
                errors.add(ValidationError.slice(namespace, sliceName, field + ".addresses[0]", e.getMessage() + "; endpoint ignored"));
                continue;
            }
            if (IpFamily.of(address) != family) {
                errors.add(ValidationError.slice(namespace, sliceName, field + ".addresses[0]",
                        address.getHostAddress() + " is not " + family.kubernetesName() + " as addressType says; endpoint ignored"));
                continue;
            }
            EndpointConditions conditions = endpoint.getConditions();
            Boolean ready = conditions == null ? null : conditions.getReady();
            Boolean serving = conditions == null ? null : conditions.getServing();
            Boolean terminating = conditions == null ? null : conditions.getTerminating();
            String nodeName = endpoint.getNodeName();
            boolean local = nodeName != null && !node.nodeName().isEmpty() && nodeName.equals(node.nodeName());
            EndpointHints hints = endpoint.getHints();
            Set<String> zoneHints = hints == null || hints.getForZones() == null ? Set.of()
                    : hints.getForZones().stream().filter(Objects::nonNull).map(ForZone::getName).filter(Objects::nonNull).collect(Collectors.toUnmodifiableSet());
            Set<String> nodeHints = hints == null || hints.getForNodes() == null ? Set.of()
                    : hints.getForNodes().stream().filter(Objects::nonNull).map(ForNode::getName).filter(Objects::nonNull).collect(Collectors.toUnmodifiableSet());
            parsed.add(new Parsed(
                    address,
                    // endpointslicecache.go: nil ready and nil serving mean true, nil terminating false.
                    ready == null || ready,
                    serving == null || serving,
                    terminating != null && terminating,
                    nodeName,
                    endpoint.getZone(),
                    local,
                    zoneHints,
                    nodeHints));
        }
        return parsed;
    }

    private static Instant lastChangeTriggerTime(EndpointSlice slice, String namespace, String sliceName, List<ValidationError> errors) {
        Map<String, String> annotations = slice.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(ValidationError.slice(namespace, sliceName, "metadata.annotations[" + KubernetesLabels.LAST_CHANGE_TRIGGER_TIME + "]",
                    "not an RFC 3339 time: \"" + value + "\"; ignored"));
            return null;
        }
    }
}
