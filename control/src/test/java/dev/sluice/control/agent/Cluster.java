package dev.sluice.control.agent;

import dev.sluice.control.model.KubernetesLabels;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Kubernetes objects as the API server would hold them, in namespace "ns" on node "node-a". */
final class Cluster {
    static final String NODE_IP = "192.168.0.10";

    private Cluster() {
    }

    static Node node() {
        return new NodeBuilder().withNewMetadata().withName("node-a")
                .addToLabels(KubernetesLabels.TOPOLOGY_ZONE, "zone-a").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(NODE_IP).endAddress().endStatus()
                .build();
    }

    /** A ClusterIP service with one TCP port "http" 80. */
    static ServiceBuilder clusterIp(String name, String clusterIp) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace("ns").withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp).withClusterIPs(clusterIp)
                .withIpFamilies("IPv4")
                .withPorts(new ServicePortBuilder().withName("http").withPort(80).withProtocol("TCP").build())
                .endSpec();
    }

    /** A LoadBalancer service with externalTrafficPolicy Local, node port 30080 and a health-check node port. */
    static ServiceBuilder localLoadBalancer(String name, String clusterIp, int healthCheckNodePort) {
        return clusterIp(name, clusterIp).editSpec().withType("LoadBalancer").withExternalTrafficPolicy("Local")
                .withHealthCheckNodePort(healthCheckNodePort)
                .withPorts(new ServicePortBuilder().withName("http").withPort(80).withProtocol("TCP").withNodePort(30080).build())
                .endSpec();
    }

    /** The slice of a service's "http" port (target 8080), stamped with a last-change-trigger-time. */
    static EndpointSlice slice(String service, Instant trigger, List<Endpoint> endpoints) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("ns").withName(service + "-abc")
                .withLabels(Map.of(KubernetesLabels.SERVICE_NAME, service))
                .withAnnotations(Map.of(KubernetesLabels.LAST_CHANGE_TRIGGER_TIME, trigger.toString()))
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .withEndpoints(endpoints)
                .build();
    }

    static Endpoint ready(String address, String nodeName) {
        return new EndpointBuilder().withAddresses(address).withNodeName(nodeName)
                .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                .build();
    }

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
