package dev.sluice.lab;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;

/** Services and EndpointSlices as the tests' manifests hold them, in namespace default. */
final class Manifest {
    /** An endpoint's conditions: a ready pod, or one shutting down that still serves. */
    enum Condition {
        READY(true, true, false), TERMINATING(false, true, true);

        final boolean ready;
        final boolean serving;
        final boolean terminating;

        Condition(boolean ready, boolean serving, boolean terminating) {
            this.ready = ready;
            this.serving = serving;
            this.terminating = terminating;
        }
    }

    private Manifest() {
    }

    /** A service port; nodePort 0 leaves it unset. */
    static ServicePort port(String name, int port, String protocol, int targetPort, int nodePort) {
        ServicePortBuilder builder = new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol)
                .withTargetPort(new IntOrString(targetPort));
        if (nodePort > 0) {
            builder.withNodePort(nodePort);
        }
        return builder.build();
    }

    static ServiceBuilder service(String name, String type, String clusterIp, ServicePort... ports) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withType(type).withClusterIP(clusterIp).withClusterIPs(clusterIp)
                .withPorts(ports).endSpec();
    }

    static EndpointPort endpointPort(String name, int port, String protocol) {
        return new EndpointPortBuilder().withName(name).withPort(port).withProtocol(protocol).build();
    }

    static EndpointSlice slice(String service, List<Pod> pods, EndpointPort... ports) {
        return slice(service, pods, Condition.READY, ports);
    }

    static EndpointSlice slice(String service, List<Pod> pods, Condition condition, EndpointPort... ports) {
        return slice(service, "IPv4", pods, condition, ports);
    }

    /** The pods' IPv6 addresses, for an IPv6 service. */
    static EndpointSlice slice6(String service, List<Pod> pods, EndpointPort... ports) {
        return slice(service, "IPv6", pods, Condition.READY, ports);
    }

    private static EndpointSlice slice(String service, String family, List<Pod> pods, Condition condition,
                                       EndpointPort... ports) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("default").withName(service + "-e2e-" + family.toLowerCase())
                .withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata()
                .withAddressType(family)
                .withPorts(ports)
                .withEndpoints(pods.stream().map(pod -> new EndpointBuilder()
                        .withAddresses(family.equals("IPv6") ? pod.address6() : pod.address())
                        .withNodeName(pod.node()).withNewTargetRef().withKind("Pod").withName(pod.name()).endTargetRef()
                        .withNewConditions().withReady(condition.ready).withServing(condition.serving)
                        .withTerminating(condition.terminating).endConditions()
                        .build()).toList())
                .build();
    }
}
