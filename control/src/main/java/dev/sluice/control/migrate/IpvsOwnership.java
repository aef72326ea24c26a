package dev.sluice.control.migrate;

import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which IPVS virtual services are kube-proxy's, from the services' keys alone (see
 * {@link IpvsCleaner} for why this rule). A pure function of its inputs, so it is tested anywhere.
 *
 * @param serviceAddresses kube-ipvs0's addresses: every ClusterIP, LoadBalancer IP and externalIP
 *     kube-proxy served
 * @param nodeAddresses the node's own addresses (every link but kube-ipvs0)
 * @param nodePortMin first port of the NodePort range
 * @param nodePortMax last port of the NodePort range
 */
record IpvsOwnership(Set<InetAddress> serviceAddresses, Set<InetAddress> nodeAddresses, int nodePortMin,
                     int nodePortMax) {
    /** The API server's default --service-node-port-range, which kube-proxy's NodePorts come from. */
    static final int DEFAULT_NODE_PORT_MIN = 30000;
    static final int DEFAULT_NODE_PORT_MAX = 32767;

    IpvsOwnership {
        serviceAddresses = Set.copyOf(serviceAddresses);
        nodeAddresses = Set.copyOf(nodeAddresses);
        if (nodePortMin < 1 || nodePortMax > 0xffff || nodePortMin > nodePortMax) {
            throw new IllegalArgumentException("NodePort range " + nodePortMin + "-" + nodePortMax
                    + " is not a range of ports within 1..65535");
        }
    }

    /** With kube-proxy's default NodePort range. */
    static IpvsOwnership withDefaultNodePorts(Set<InetAddress> serviceAddresses, Set<InetAddress> nodeAddresses) {
        return new IpvsOwnership(serviceAddresses, nodeAddresses, DEFAULT_NODE_PORT_MIN, DEFAULT_NODE_PORT_MAX);
    }

    /** The services split into kube-proxy's and the rest, each in the order given. */
    record Split(List<IpvsServiceKey> kubeProxys, List<IpvsServiceKey> others) {
    }

    boolean isKubeProxys(IpvsServiceKey service) {
        if (serviceAddresses.contains(service.address())) {
            return true;
        }
        return service.port() >= nodePortMin && service.port() <= nodePortMax
                && nodeAddresses.contains(service.address());
    }

    Split split(List<IpvsServiceKey> services) {
        List<IpvsServiceKey> kubeProxys = new ArrayList<>();
        List<IpvsServiceKey> others = new ArrayList<>();
        for (IpvsServiceKey service : services) {
            (isKubeProxys(service) ? kubeProxys : others).add(service);
        }
        return new Split(List.copyOf(kubeProxys), List.copyOf(others));
    }
}
