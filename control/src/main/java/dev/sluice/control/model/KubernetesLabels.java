package dev.sluice.control.model;

/** Well-known label and annotation keys. */
public final class KubernetesLabels {

    public static final String SERVICE_NAME = "kubernetes.io/service-name";
    public static final String HEADLESS = "service.kubernetes.io/headless";
    public static final String SERVICE_PROXY_NAME = "service.kubernetes.io/service-proxy-name";
    public static final String LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
    public static final String TOPOLOGY_ZONE = "topology.kubernetes.io/zone";
    public static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";

    private KubernetesLabels() {}
}
