package dev.sluice.control.model;

import java.net.InetAddress;
import java.util.Objects;

/** One address:port/protocol on which a Service accepts traffic. */
public record Frontend(InetAddress address, int port, Protocol protocol, FrontendKind kind) {

    public Frontend {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(kind, "kind");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    @Override
    public String toString() {
        return kind + " " + IpAddresses.format(address, port) + "/" + protocol;
    }
}
