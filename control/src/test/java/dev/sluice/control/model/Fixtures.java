package dev.sluice.control.model;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/** Terse builders for the objects the semantics tests feed in. */
public final class Fixtures {

    public static final NodeContext NODE = new NodeContext("node-a", "zone-a",
            List.of(ip("192.168.0.10"), ip("192.168.0.11"), ip("fd00::10")), "sluice");

    private Fixtures() {}

    public static InetAddress ip(String text) {
        return IpAddresses.parse(text);
    }

    public static io.fabric8.kubernetes.api.model.ServicePort port(String name, int port, String protocol) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol).build();
    }

    public static io.fabric8.kubernetes.api.model.ServicePort nodePort(String name, int port, String protocol, int nodePort) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol).withNodePort(nodePort).build();
    }

    /** A single-stack IPv4 ClusterIP service "ns/name" with one TCP port "http" 80. */
    public static ServiceBuilder service(String name, String clusterIp) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace("ns").withName(name).endMetadata()
                .withNewSpec()
                .withType("ClusterIP")
                .withClusterIP(clusterIp)
                .withClusterIPs(clusterIp)
                .withPorts(port("http", 80, "TCP"))
                .endSpec();
    }

    public static Service simple(String name, String clusterIp) {
        return service(name, clusterIp).build();
    }

    public static EndpointSliceBuilder slice(String name, String service, String addressType, Endpoint... endpoints) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("ns").withName(name)
                .withLabels(Map.of(KubernetesLabels.SERVICE_NAME, service)).endMetadata()
                .withAddressType(addressType)
                .withPorts(new EndpointPortBuilder().withName("http").withPort(8080).withProtocol("TCP").build())
                .withEndpoints(endpoints);
    }

    public static EndpointSlice slice(String service, Endpoint... endpoints) {
        return slice(service + "-abc", service, "IPv4", endpoints).build();
    }

    public static Endpoint ready(String address, String nodeName) {
        return endpoint(address, nodeName, true, true, false);
    }

    public static Endpoint endpoint(String address, String nodeName, Boolean ready, Boolean serving, Boolean terminating) {
        return new EndpointBuilder()
                .withAddresses(address)
                .withNodeName(nodeName)
                .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating).endConditions()
                .build();
    }

    public static DesiredState compute(List<Service> services, List<EndpointSlice> slices) {
        return ProxySemantics.compute(services, slices, NODE);
    }

    public static List<String> addresses(List<dev.sluice.control.model.Endpoint> endpoints) {
        return endpoints.stream().map(e -> e.address().getHostAddress()).toList();
    }
}
