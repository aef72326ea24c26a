package dev.sluice.control.model;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Builds a {@link NodeContext} from this node's Node object. */
public final class NodeContexts {

    private NodeContexts() {}

    /**
     * NodePorts are served on the node's InternalIP addresses (kube-proxy's
     * --nodeport-addresses=primary), or on its ExternalIPs when it reports no internal one.
     *
     * @param node this node's object, or null when not (yet) known: no zone, no addresses
     */
    public static NodeContext of(String nodeName, Node node, String proxyName) {
        if (node == null) {
            return new NodeContext(nodeName, null, List.of(), proxyName);
        }
        String zone = node.getMetadata() == null || node.getMetadata().getLabels() == null
                ? null
                : node.getMetadata().getLabels().get(KubernetesLabels.TOPOLOGY_ZONE);
        List<InetAddress> internal = addresses(node, "InternalIP");
        return new NodeContext(nodeName, zone, internal.isEmpty() ? addresses(node, "ExternalIP") : internal, proxyName);
    }

    private static List<InetAddress> addresses(Node node, String type) {
        List<InetAddress> addresses = new ArrayList<>();
        if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
            return addresses;
        }
        for (NodeAddress address : node.getStatus().getAddresses()) {
            if (address != null && type.equals(address.getType())) {
                try {
                    InetAddress parsed = IpAddresses.parse(address.getAddress());
                    if (!addresses.contains(parsed)) {
                        addresses.add(parsed);
                    }
                } catch (IllegalArgumentException e) {
                    // A host name or garbage: not an address NodePorts can be served on.
                }
            }
        }
        return addresses;
    }
}
