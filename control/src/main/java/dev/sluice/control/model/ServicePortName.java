package dev.sluice.control.model;

import java.util.Objects;

/**
 * Names one port of one Service, like kube-proxy's ServicePortName. Unlike kube-proxy's, it
 * leaves the protocol out: port names are unique within a Service, which compute() enforces.
 *
 * @param port the Service port's name, "" when unnamed
 */
public record ServicePortName(String namespace, String name, String port) implements Comparable<ServicePortName> {

    public ServicePortName {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(port, "port");
    }

    @Override
    public int compareTo(ServicePortName other) {
        int byNamespace = namespace.compareTo(other.namespace);
        if (byNamespace != 0) {
            return byNamespace;
        }
        int byName = name.compareTo(other.name);
        return byName != 0 ? byName : port.compareTo(other.port);
    }

    /** "ns/name:port", or "ns/name" for an unnamed port, exactly as kube-proxy logs it. */
    @Override
    public String toString() {
        return port.isEmpty() ? namespace + "/" + name : namespace + "/" + name + ":" + port;
    }
}
