package dev.sluice.control.sync;

import static dev.sluice.control.model.Fixtures.ip;

import dev.sluice.control.model.KubernetesLabels;
import dev.sluice.control.model.NodeContext;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small cluster that changes at random: a few Services of every type and policy, with
 * EndpointSlices drawn from a small pool of addresses (so services share backends), NodePorts
 * from a tiny pool (so services collide), and now and then a change of the node itself.
 */
final class RandomCluster {
    private static final int SERVICES = 6;
    private static final String[] NODE_PORT_POOL = {"30000", "30001", "30002"};
    private static final String[] CREATED = {"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"};

    private final SplittableRandom random;
    final Map<String, Service> services = new LinkedHashMap<>();
    final Map<String, EndpointSlice> slices = new LinkedHashMap<>();
    NodeContext node = node(false);

    RandomCluster(long seed) {
        random = new SplittableRandom(seed);
    }

    List<Service> serviceList() {
        return new ArrayList<>(services.values());
    }

    List<EndpointSlice> sliceList() {
        return new ArrayList<>(slices.values());
    }

    /** One random change; what it was, for a failure message. */
    String step() {
        int kind = random.nextInt(20);
        String name = "svc-" + random.nextInt(SERVICES);
        if (kind == 0) {
            node = node(random.nextBoolean());
            return "node " + node.nodeAddresses();
        }
        if (kind < 7) {
            services.put(name, service(name));
            return "service " + name + " set";
        }
        if (kind < 9) {
            services.remove(name);
            return "service " + name + " removed";
        }
        String slice = name + (random.nextBoolean() ? "-v4" : "-v6");
        if (kind < 17) {
            slices.put(slice, slice(slice, name, slice.endsWith("-v4")));
            return "slice " + slice + " set";
        }
        slices.remove(slice);
        return "slice " + slice + " removed";
    }

    private static NodeContext node(boolean moved) {
        return new NodeContext("node-a", "zone-a", moved ? List.of(ip("192.168.0.12"), ip("fd00::12"))
                : List.of(ip("192.168.0.10"), ip("fd00::10")), "sluice");
    }

    private Service service(String name) {
        int index = Integer.parseInt(name.substring(4));
        String type = List.of("ClusterIP", "NodePort", "LoadBalancer").get(random.nextInt(3));
        boolean dual = random.nextBoolean();
        List<String> clusterIps = dual ? List.of("10.96.0." + (index + 1), "fd00:96::" + (index + 1)) : List.of("10.96.0." + (index + 1));
        ServiceBuilder builder = new ServiceBuilder()
                .withNewMetadata().withNamespace("ns").withName(name)
                .withCreationTimestamp(CREATED[random.nextInt(CREATED.length)]).endMetadata()
                .withNewSpec().withType(type).withClusterIP(clusterIps.getFirst()).withClusterIPs(clusterIps)
                .withIpFamilies(dual ? List.of("IPv4", "IPv6") : List.of("IPv4"))
                .endSpec();
        List<io.fabric8.kubernetes.api.model.ServicePort> ports = new ArrayList<>();
        ports.add(port("http", 80, "TCP", type));
        if (random.nextBoolean()) {
            ports.add(port("dns", 53, "UDP", type));
        }
        builder.editSpec().withPorts(ports).endSpec();
        if (random.nextInt(3) == 0) {
            builder.editSpec().withSessionAffinity("ClientIP").withNewSessionAffinityConfig().withNewClientIP()
                    .withTimeoutSeconds(random.nextInt(1, 600)).endClientIP().endSessionAffinityConfig().endSpec();
        }
        if (random.nextInt(3) == 0) {
            builder.editSpec().withInternalTrafficPolicy("Local").endSpec();
        }
        if (!type.equals("ClusterIP")) {
            builder.editSpec().withExternalTrafficPolicy(random.nextBoolean() ? "Local" : "Cluster").endSpec();
            if (random.nextInt(3) == 0) {
                builder.editSpec().withExternalIPs("198.51.100." + (index + 1)).endSpec();
            }
        }
        if (type.equals("LoadBalancer")) {
            builder.withNewStatus().withNewLoadBalancer().withIngress(
                    new LoadBalancerIngressBuilder().withIp("203.0.113." + (index + 1)).build()).endLoadBalancer().endStatus();
            if (random.nextBoolean()) {
                builder.editSpec().withLoadBalancerSourceRanges("192.0.2.0/24").endSpec();
            }
            if ("Local".equals(builder.buildSpec().getExternalTrafficPolicy())) {
                builder.editSpec().withHealthCheckNodePort(32000 + index).endSpec();
            }
        }
        return builder.build();
    }

    private io.fabric8.kubernetes.api.model.ServicePort port(String name, int port, String protocol, String type) {
        ServicePortBuilder builder = new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol)
                .withTargetPort(new IntOrString(port + 8000));
        if (!type.equals("ClusterIP")) {
            builder.withNodePort(Integer.parseInt(NODE_PORT_POOL[random.nextInt(NODE_PORT_POOL.length)]));
        }
        return builder.build();
    }

    private EndpointSlice slice(String sliceName, String service, boolean v4) {
        int count = random.nextInt(5);
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int host = random.nextInt(1, 9);
            boolean terminating = random.nextInt(4) == 0;
            endpoints.add(new EndpointBuilder()
                    .withAddresses(v4 ? "10.244.0." + host : "fd00:244::" + host)
                    .withNodeName(random.nextBoolean() ? "node-a" : "node-b")
                    .withNewConditions().withReady(!terminating).withServing(true).withTerminating(terminating).endConditions()
                    .build());
        }
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("ns").withName(sliceName)
                .withLabels(Map.of(KubernetesLabels.SERVICE_NAME, service)).endMetadata()
                .withAddressType(v4 ? "IPv4" : "IPv6")
                .withPorts(new EndpointPortBuilder().withName("http").withPort(8080).withProtocol("TCP").build(),
                        new EndpointPortBuilder().withName("dns").withPort(8053).withProtocol("UDP").build())
                .withEndpoints(endpoints)
                .build();
    }
}
