package dev.sluice.control.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One backend of one Service port.
 *
 * @param port the target port, from the EndpointSlice port matching the Service port's name and protocol
 * @param nodeName the node the backend runs on, null when the slice does not say
 * @param zone the backend's zone, null when the slice does not say
 * @param local whether nodeName is this node
 */
public record Endpoint(
        InetAddress address,
        int port,
        boolean ready,
        boolean serving,
        boolean terminating,
        String nodeName,
        String zone,
        boolean local) {

    public Endpoint {
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Usable as a fallback when no ready endpoint exists (kube-proxy: IsServing && IsTerminating). */
    public boolean servingTerminating() {
        return serving && terminating;
    }

    @Override
    public String toString() {
        return IpAddresses.format(address, port)
                + (ready ? "" : serving && terminating ? "(serving,terminating)" : terminating ? "(terminating)" : "(not ready)")
                + (nodeName == null ? "" : "@" + nodeName);
    }
}
