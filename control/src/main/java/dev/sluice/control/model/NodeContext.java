package dev.sluice.control.model;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * The node this proxy runs on, as far as Service semantics care.
 *
 * @param zone the node's topology.kubernetes.io/zone, null when unknown
 * @param nodeAddresses the addresses NodePorts are served on
 * @param proxyName this proxy's name for the service.kubernetes.io/service-proxy-name label
 */
public record NodeContext(String nodeName, String zone, List<InetAddress> nodeAddresses, String proxyName) {

    public NodeContext {
        Objects.requireNonNull(nodeName, "nodeName");
        nodeAddresses = List.copyOf(nodeAddresses);
        Objects.requireNonNull(proxyName, "proxyName");
    }
}
