package dev.sluice.control.model;

import java.util.List;

/** A Service port in one family as the Service alone defines it: a ServicePort minus endpoints. */
record PortBlueprint(
        ServicePortName name,
        IpFamily family,
        Protocol protocol,
        List<Frontend> frontends,
        boolean externalTrafficLocal,
        boolean internalTrafficLocal,
        int affinityTimeoutSeconds,
        List<Cidr> loadBalancerSourceRanges,
        int healthCheckNodePort,
        int nodePort) {

    /**
     * kube-proxy's ServicePort.ExternallyAccessible: a NodePort counts even when this node has no
     * address to serve it on, but external IPs and LB ingress only count in their own family, so a
     * dual-stack service whose external IPs are all IPv4 is internal-only in IPv6.
     */
    boolean externallyAccessible() {
        return nodePort != 0 || frontends.stream().anyMatch(f -> f.kind().external());
    }

    /** kube-proxy's UsesClusterEndpoints: ETP Local still needs them for short-circuiting internal traffic. */
    boolean usesClusterEndpoints() {
        return !internalTrafficLocal || externallyAccessible();
    }

    /** kube-proxy's UsesLocalEndpoints. */
    boolean usesLocalEndpoints() {
        return internalTrafficLocal || (externalTrafficLocal && externallyAccessible());
    }
}
