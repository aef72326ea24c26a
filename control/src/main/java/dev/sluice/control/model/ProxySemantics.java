package dev.sluice.control.model;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes objects to {@link DesiredState}, with kube-proxy's semantics. A pure function: the
 * same input always yields the same state, and bad input becomes {@link ValidationError}s that
 * cost only the offending service, port or endpoint.
 */
public final class ProxySemantics {

    private static final Logger LOG = LoggerFactory.getLogger(ProxySemantics.class);

    private ProxySemantics() {}

    public static DesiredState compute(Collection<Service> services, Collection<EndpointSlice> slices, NodeContext node) {
        Objects.requireNonNull(node, "node");
        List<ValidationError> errors = new ArrayList<>();
        SliceIndex index = SliceIndex.build(slices == null ? List.of() : slices, node, errors);
        Map<ServicePortKey, ServicePort> ports = new TreeMap<>();
        List<Service> sorted = (services == null ? List.<Service>of() : services).stream()
                .filter(Objects::nonNull)
                .sorted(Comparator.comparing(KubeObjects::describe))
                .toList();
        for (Service service : sorted) {
            // Everything of one service is built before any of it is published, so a failure
            // half-way leaves no partial service behind.
            List<ServicePort> built = new ArrayList<>();
            try {
                for (PortBlueprint blueprint : ServiceReader.read(service, node, errors)) {
                    built.add(complete(blueprint, index, node, KubeObjects.created(service)));
                }
            } catch (RuntimeException e) {
                LOG.warn("Service {} could not be read", KubeObjects.describe(service), e);
                errors.add(new ValidationError("Service " + KubeObjects.describe(service), "", "unreadable: " + e + "; service skipped"));
                continue;
            }
            if (built.stream().anyMatch(port -> ports.containsKey(port.key()))) {
                errors.add(new ValidationError("Service " + KubeObjects.describe(service), "metadata.name", "duplicate service; later copy ignored"));
                continue;
            }
            built.forEach(port -> ports.put(port.key(), port));
        }
        return new DesiredState(ports, errors);
    }

    private static ServicePort complete(PortBlueprint port, SliceIndex index, NodeContext node, Instant created) {
        List<EndpointCandidate> candidates = index.endpoints(port.name(), port.family(), port.protocol());
        EndpointCategorizer.Categorized categorized = EndpointCategorizer.categorize(candidates, port, node);
        List<Endpoint> all = new ArrayList<>(candidates.size());
        for (EndpointCandidate candidate : candidates) {
            all.add(candidate.endpoint());
        }
        return new ServicePort(
                port.name(),
                port.family(),
                port.protocol(),
                port.frontends(),
                port.externalTrafficLocal(),
                port.internalTrafficLocal(),
                port.affinityTimeoutSeconds(),
                port.loadBalancerSourceRanges(),
                port.healthCheckNodePort(),
                all,
                categorized.cluster(),
                categorized.local(),
                index.lastChangeTriggerTime(port.name().namespace(), port.name().name(), port.family()),
                created);
    }
}
