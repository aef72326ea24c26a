package dev.sluice.control.model;

/** How traffic reaches a Service; decides which traffic policy applies to it. */
public enum FrontendKind {
    /** Internal traffic: internalTrafficPolicy applies. */
    CLUSTER_IP,
    /** External traffic: externalTrafficPolicy applies (so do the three below). */
    NODE_PORT,
    LOAD_BALANCER,
    EXTERNAL_IP;

    public boolean external() {
        return this != CLUSTER_IP;
    }
}
