package dev.sluice.lab;

import static dev.sluice.lab.Manifest.endpointPort;
import static dev.sluice.lab.Manifest.port;
import static dev.sluice.lab.Manifest.service;
import static dev.sluice.lab.Manifest.slice;
import static dev.sluice.lab.Manifest.slice6;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import java.util.ArrayList;
import java.util.List;

/**
 * The services of the real-traffic suite. Most have exactly one endpoint, so a test knows which
 * pod answers and whether it is local or remote to the node it goes through: per pod, a service
 * with the payload and the HTTP port (IPv4 and IPv6, NodePort), and for web-a0 and web-b0 a
 * LoadBalancer IP (routed through node-a), an externalIP (routed through node-b) and a DNS service.
 * Pods are numbered as the lab creates them: web-a0, web-a1, web-b0, web-b1.
 */
final class RealTrafficManifest {
    static final int HTTP_PORT = 80;
    static final int DNS_PORT = 53;
    /** The two pods that get LoadBalancer, externalIP and DNS services: one per node. */
    static final List<Integer> EDGE_PODS = List.of(0, 2);
    static final String EMPTY_IP = "198.18.100.160";
    static final String EMPTY_IP6 = "2001:db8:100::160";
    static final String ALL_IP = "198.18.100.140";
    static final String ALL_IP6 = "2001:db8:100::140";
    static final int ALL_NODE_PORT = 31040;
    static final int ALL_NODE_PORT6 = 31041;

    private RealTrafficManifest() {
    }

    /**
     * Cluster IP number {@code index}: a pod's payload service has its pod's index; LoadBalancer
     * services take 20 + index, externalIP services 30 + index.
     */
    static String clusterIp(int index, boolean ipv6) {
        return ipv6 ? "2001:db8:100::" + Integer.toHexString(0x100 + index) : "198.18.100." + (100 + index);
    }

    static int nodePort(int pod, boolean ipv6) {
        return (ipv6 ? 31010 : 31000) + pod;
    }

    static int httpNodePort(int pod, boolean ipv6) {
        return (ipv6 ? 31110 : 31100) + pod;
    }

    static String loadBalancerIp(int pod, boolean ipv6) {
        return ipv6 ? "2001:db8:200::" + Integer.toHexString(0x10 + pod) : "198.18.200." + (10 + pod);
    }

    static String externalIp(int pod, boolean ipv6) {
        return ipv6 ? "2001:db8:201::" + Integer.toHexString(0x10 + pod) : "198.18.201." + (10 + pod);
    }

    static String dnsIp(int pod) {
        return "198.18.100." + (150 + pod);
    }

    static List<HasMetadata> objects(List<Pod> pods) {
        List<HasMetadata> objects = new ArrayList<>();
        EndpointPort payload = endpointPort("pay", PayloadServer.PORT, "TCP");
        EndpointPort http = endpointPort("http", Backends.HTTP_PORT, "TCP");
        for (int i = 0; i < pods.size(); i++) {
            List<Pod> one = List.of(pods.get(i));
            String name = "pay-" + pods.get(i).name();
            objects.add(service(name, "NodePort", clusterIp(i, false),
                    port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, nodePort(i, false)),
                    port("http", HTTP_PORT, "TCP", Backends.HTTP_PORT, httpNodePort(i, false))).build());
            objects.add(slice(name, one, payload, http));
            objects.add(ipv6(service(name + "-v6", "NodePort", clusterIp(i, true),
                    port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, nodePort(i, true)),
                    port("http", HTTP_PORT, "TCP", Backends.HTTP_PORT, httpNodePort(i, true)))).build());
            objects.add(slice6(name + "-v6", one, payload, http));
        }
        for (int i : EDGE_PODS) {
            List<Pod> one = List.of(pods.get(i));
            for (boolean ipv6 : List.of(false, true)) {
                String family = ipv6 ? "-v6" : "";
                String lb = "lb-" + pods.get(i).name() + family;
                ServiceBuilder loadBalancer = service(lb, "LoadBalancer", clusterIp(20 + i, ipv6),
                        port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, (ipv6 ? 31030 : 31020) + i))
                        .withNewStatus().withNewLoadBalancer().addNewIngress().withIp(loadBalancerIp(i, ipv6))
                        .endIngress().endLoadBalancer().endStatus();
                objects.add((ipv6 ? ipv6(loadBalancer) : loadBalancer).build());
                objects.add(ipv6 ? slice6(lb, one, payload) : slice(lb, one, payload));
                String ext = "ext-" + pods.get(i).name() + family;
                ServiceBuilder external = service(ext, "ClusterIP", clusterIp(30 + i, ipv6),
                        port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, 0))
                        .editSpec().withExternalIPs(externalIp(i, ipv6)).endSpec();
                objects.add((ipv6 ? ipv6(external) : external).build());
                objects.add(ipv6 ? slice6(ext, one, payload) : slice(ext, one, payload));
            }
            String dns = "dns-" + pods.get(i).name();
            objects.add(service(dns, "ClusterIP", dnsIp(i), port("dns", DNS_PORT, "UDP", DNS_PORT, 0),
                    port("dns-tcp", DNS_PORT, "TCP", DNS_PORT, 0)).build());
            objects.add(slice(dns, one, endpointPort("dns", DNS_PORT, "UDP"), endpointPort("dns-tcp", DNS_PORT, "TCP")));
        }
        objects.add(service("pay-all", "NodePort", ALL_IP,
                port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, ALL_NODE_PORT)).build());
        objects.add(slice("pay-all", pods, payload));
        objects.add(ipv6(service("pay-all-v6", "NodePort", ALL_IP6,
                port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, ALL_NODE_PORT6))).build());
        objects.add(slice6("pay-all-v6", pods, payload));
        objects.add(service("empty", "ClusterIP", EMPTY_IP, port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, 0),
                port("dns", DNS_PORT, "UDP", DNS_PORT, 0)).build());
        objects.add(ipv6(service("empty-v6", "ClusterIP", EMPTY_IP6,
                port("pay", PayloadServer.PORT, "TCP", PayloadServer.PORT, 0),
                port("dns", DNS_PORT, "UDP", DNS_PORT, 0))).build());
        return objects;
    }

    private static ServiceBuilder ipv6(ServiceBuilder service) {
        return service.editSpec().withIpFamilies("IPv6").withIpFamilyPolicy("SingleStack").endSpec();
    }
}
