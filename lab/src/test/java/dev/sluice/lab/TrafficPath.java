package dev.sluice.lab;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One way of reaching one pod through sluice: who connects (the external client, or a pod), to
 * which frontend, and which pod must answer. {@link #direct} is the same pod's own address, the
 * baseline without a service in between.
 *
 * @param kind     what the frontend is, for messages ("NodePort via node-a")
 * @param from     "client", or the name of the pod that connects
 * @param backend  index of the pod that must answer (as {@link RealTrafficManifest} numbers them)
 * @param local    whether that pod runs on the node that translates
 * @param ipv6     the family of every address on the path
 * @param address  the frontend address
 * @param port     the frontend port
 */
record TrafficPath(String kind, String from, int backend, boolean local, boolean ipv6, String address, int port) {
    static final String CLIENT = "client";

    /** Every path the suite covers, IPv4 and IPv6: each kind of frontend to a local and a remote pod. */
    static List<TrafficPath> all() {
        List<TrafficPath> paths = new ArrayList<>();
        for (boolean ipv6 : List.of(false, true)) {
            paths.addAll(nodePorts(ipv6));
            // From web-a1 (node-a): web-a0 is local, web-b0 remote; from web-b1 the other way round.
            paths.add(clusterIp("web-a1", 0, true, ipv6));
            paths.add(clusterIp("web-a1", 2, false, ipv6));
            paths.add(clusterIp("web-b1", 2, true, ipv6));
            paths.add(clusterIp("web-b1", 0, false, ipv6));
            paths.add(new TrafficPath("hairpin ClusterIP", "web-a0", 0, true, ipv6,
                    RealTrafficManifest.clusterIp(0, ipv6), PayloadServer.PORT));
            paths.add(new TrafficPath("hairpin ClusterIP", "web-b1", 3, true, ipv6,
                    RealTrafficManifest.clusterIp(3, ipv6), PayloadServer.PORT));
            for (int pod : RealTrafficManifest.EDGE_PODS) {
                paths.add(new TrafficPath("LoadBalancer IP via node-a", CLIENT, pod, pod < 2, ipv6,
                        RealTrafficManifest.loadBalancerIp(pod, ipv6), PayloadServer.PORT));
                paths.add(new TrafficPath("externalIP via node-b", CLIENT, pod, pod >= 2, ipv6,
                        RealTrafficManifest.externalIp(pod, ipv6), PayloadServer.PORT));
            }
        }
        return paths;
    }

    /** NodePorts through each node to a local and a remote pod. */
    static List<TrafficPath> nodePorts(boolean ipv6) {
        List<TrafficPath> paths = new ArrayList<>();
        for (String node : List.of("node-a", "node-b")) {
            String address = (ipv6 ? LabTopology.NODE_ADDRESSES6 : LabTopology.NODE_ADDRESSES).get(node);
            for (int pod : RealTrafficManifest.EDGE_PODS) {
                boolean local = (pod < 2) == node.equals("node-a");
                paths.add(new TrafficPath("NodePort via " + node, CLIENT, pod, local, ipv6, address,
                        RealTrafficManifest.nodePort(pod, ipv6)));
            }
        }
        return paths;
    }

    static TrafficPath clusterIp(String from, int backend, boolean local, boolean ipv6) {
        return new TrafficPath("ClusterIP", from, backend, local, ipv6, RealTrafficManifest.clusterIp(backend, ipv6),
                PayloadServer.PORT);
    }

    NetworkNamespace origin(Lab lab) {
        return from.equals(CLIENT) ? lab.topology().client() : pod(lab, from).namespace();
    }

    /** The connecting side's own address, to bind a fixed source port. */
    String source(Lab lab) {
        if (from.equals(CLIENT)) {
            return ipv6 ? LabTopology.CLIENT_ADDRESS6 : LabTopology.CLIENT_ADDRESS;
        }
        Pod pod = pod(lab, from);
        return ipv6 ? pod.address6() : pod.address();
    }

    InetSocketAddress target() {
        return new InetSocketAddress(address, port);
    }

    Pod backendPod(Lab lab) {
        return lab.pods().get(backend);
    }

    /** The backend's own address and payload port: the same transfer with no service on the way. */
    InetSocketAddress direct(Lab lab) {
        Pod pod = backendPod(lab);
        return new InetSocketAddress(ipv6 ? pod.address6() : pod.address(), PayloadServer.PORT);
    }

    boolean hairpin() {
        return kind.startsWith("hairpin");
    }

    private static Pod pod(Lab lab, String name) {
        return lab.pods().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pod " + name));
    }

    @Override
    public String toString() {
        String backendName = "web-" + (backend < 2 ? "a" : "b") + (backend % 2);
        return kind + (from.equals(CLIENT) ? "" : " from " + from) + " -> " + backendName
                + (hairpin() ? " (itself)" : local ? " (local)" : " (remote)") + ", " + (ipv6 ? "IPv6" : "IPv4")
                + " [" + (ipv6 ? "[" + address + "]" : address) + ":" + port + "]";
    }
}
