package dev.sluice.control.sync;

import dev.sluice.control.model.ServicePortKey;

/**
 * One datapath service: a Kubernetes service port seen through one lens. A port whose traffic
 * policies or source ranges treat frontends differently needs more than one: Local policies pick
 * from node-local backends only, and loadBalancerSourceRanges filter LoadBalancer frontends only.
 *
 * @param scope {@link #LOCAL} and {@link #SOURCE_RANGES} bits, stored in svc_names
 */
record ServiceView(ServicePortKey port, int scope) {
    static final int LOCAL = dev.sluice.control.datapath.ServiceName.SCOPE_LOCAL;
    static final int SOURCE_RANGES = dev.sluice.control.datapath.ServiceName.SCOPE_SOURCE_RANGES;

    boolean local() {
        return (scope & LOCAL) != 0;
    }

    boolean sourceRanged() {
        return (scope & SOURCE_RANGES) != 0;
    }
}
