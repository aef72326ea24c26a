package dev.sluice.control.model;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Legacy core/v1 Endpoints to the EndpointSlices the API server's mirroring controller would
 * make: one slice per subset and address family, labelled with the service name, the
 * last-change-trigger-time annotation carried over.
 */
public final class EndpointsConverter {

    static final String MANAGED_BY = "sluice-endpoints-converter";

    private EndpointsConverter() {}

    public static List<EndpointSlice> toSlices(Endpoints endpoints) {
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.getMetadata() == null || endpoints.getMetadata().getName() == null) {
            throw new IllegalArgumentException("Endpoints without a name");
        }
        String name = endpoints.getMetadata().getName();
        String namespace = endpoints.getMetadata().getNamespace();
        Map<String, String> annotations = new HashMap<>();
        if (endpoints.getMetadata().getAnnotations() != null
                && endpoints.getMetadata().getAnnotations().containsKey(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME)) {
            annotations.put(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME, endpoints.getMetadata().getAnnotations().get(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME));
        }
        Map<String, String> labels = new HashMap<>();
        if (endpoints.getMetadata().getLabels() != null) {
            labels.putAll(endpoints.getMetadata().getLabels());
        }
        labels.put(KubernetesLabels.SERVICE_NAME, name);
        labels.put(KubernetesLabels.MANAGED_BY, MANAGED_BY);

        List<EndpointSlice> slices = new ArrayList<>();
        List<EndpointSubset> subsets = endpoints.getSubsets() == null ? List.of() : endpoints.getSubsets();
        for (int s = 0; s < subsets.size(); s++) {
            EndpointSubset subset = subsets.get(s);
            if (subset == null) {
                continue;
            }
            List<EndpointPort> ports = new ArrayList<>();
            for (io.fabric8.kubernetes.api.model.EndpointPort port : subset.getPorts() == null ? List.<io.fabric8.kubernetes.api.model.EndpointPort>of() : subset.getPorts()) {
                ports.add(new EndpointPortBuilder()
                        .withName(Objects.requireNonNullElse(port.getName(), ""))
                        .withPort(port.getPort())
                        .withProtocol(Objects.requireNonNullElse(port.getProtocol(), "TCP"))
                        .withAppProtocol(port.getAppProtocol())
                        .build());
            }
            // Family by syntax only: a malformed address still lands in a slice, where
            // ProxySemantics reports it against that slice.
            Map<String, List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint>> byType = new LinkedHashMap<>();
            addAll(byType, subset.getAddresses(), true);
            addAll(byType, subset.getNotReadyAddresses(), false);
            for (Map.Entry<String, List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint>> entry : byType.entrySet()) {
                slices.add(new EndpointSliceBuilder()
                        .withNewMetadata()
                        .withName(name + "-" + s + "-" + entry.getKey().toLowerCase(java.util.Locale.ROOT))
                        .withNamespace(namespace)
                        .withLabels(labels)
                        .withAnnotations(annotations)
                        .endMetadata()
                        .withAddressType(entry.getKey())
                        .withPorts(ports)
                        .withEndpoints(entry.getValue())
                        .build());
            }
        }
        return slices;
    }

    /**
     * The mirroring controller sets only ready; serving is set to the same value here so the
     * desired state does not show not-ready addresses as serving. Traffic-wise it is the same:
     * a non-terminating endpoint is only ever used when ready.
     */
    private static void addAll(Map<String, List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint>> byType, List<EndpointAddress> addresses, boolean ready) {
        if (addresses == null) {
            return;
        }
        for (EndpointAddress address : addresses) {
            if (address == null) {
                continue;
            }
            String ip = address.getIp() == null ? "" : address.getIp();
            String type = ip.indexOf(':') >= 0 ? "IPv6" : "IPv4";
            byType.computeIfAbsent(type, t -> new ArrayList<>()).add(new EndpointBuilder()
                    .withAddresses(ip)
                    .withNodeName(address.getNodeName())
                    .withHostname(address.getHostname())
                    .withTargetRef(address.getTargetRef())
                    .withNewConditions()
                    .withReady(ready)
                    .withServing(ready)
                    .withTerminating(false)
                    .endConditions()
                    .build());
        }
    }
}
