package dev.sluice.control.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything the datapath needs for one port of one Service in one address family.
 *
 * @param externalTrafficLocal externalTrafficPolicy Local: NodePort, LoadBalancer and external IP
 *     frontends pick from localEndpoints
 * @param internalTrafficLocal internalTrafficPolicy Local: the ClusterIP frontend picks from localEndpoints
 * @param affinityTimeoutSeconds ClientIP session affinity timeout; 0 = no affinity
 * @param loadBalancerSourceRanges the ranges of this family allowed to use LoadBalancer frontends;
 *     empty = everyone
 * @param healthCheckNodePort 0 = none; only set for LoadBalancer services with externalTrafficPolicy Local
 * @param endpoints every endpoint known for this port and family, usable or not: what must stay
 *     programmed so established flows continue
 * @param clusterEndpoints what new flows under Cluster policy pick; empty when no frontend uses Cluster policy
 * @param localEndpoints what new flows under Local policy pick; empty when no frontend uses Local policy
 * @param lastChangeTriggerTime newest endpoints.kubernetes.io/last-change-trigger-time of the
 *     slices, null when none carries it
 * @param created the Service's creationTimestamp, null when it has none: of two ports claiming
 *     one frontend, the older keeps it
 */
public record ServicePort(
        ServicePortName name,
        IpFamily family,
        Protocol protocol,
        List<Frontend> frontends,
        boolean externalTrafficLocal,
        boolean internalTrafficLocal,
        int affinityTimeoutSeconds,
        List<Cidr> loadBalancerSourceRanges,
        int healthCheckNodePort,
        List<Endpoint> endpoints,
        List<Endpoint> clusterEndpoints,
        List<Endpoint> localEndpoints,
        Instant lastChangeTriggerTime,
        Instant created) {

    public ServicePort {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(protocol, "protocol");
        frontends = List.copyOf(frontends);
        loadBalancerSourceRanges = List.copyOf(loadBalancerSourceRanges);
        endpoints = List.copyOf(endpoints);
        clusterEndpoints = List.copyOf(clusterEndpoints);
        localEndpoints = List.copyOf(localEndpoints);
    }

    public ServicePortKey key() {
        return new ServicePortKey(name, family);
    }

    /** The frontends of one kind, in order. */
    public List<Frontend> frontends(FrontendKind kind) {
        return frontends.stream().filter(f -> f.kind() == kind).toList();
    }

    /** The endpoints new flows arriving on a frontend of this kind pick from. */
    public List<Endpoint> endpointsFor(FrontendKind kind) {
        boolean local = kind.external() ? externalTrafficLocal : internalTrafficLocal;
        return local ? localEndpoints : clusterEndpoints;
    }
}
