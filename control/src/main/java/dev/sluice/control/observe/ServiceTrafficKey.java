package dev.sluice.control.observe;

import java.util.Objects;

/**
 * One Service port as its traffic is labelled: {@code port} is the port's name, or its number
 * when the port is unnamed (both are unique within a Service).
 */
public record ServiceTrafficKey(String namespace, String name, String port) {
    public ServiceTrafficKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(port, "port");
    }
}
