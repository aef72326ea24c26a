package dev.sluice.control.observe;

import java.util.Objects;

/** A Service's namespace and name. */
public record ServiceName(String namespace, String name) {
    public ServiceName {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
