package dev.sluice.control.model;

import java.util.Comparator;
import java.util.Objects;

/** Identifies a {@link ServicePort}: a dual-stack Service port yields one key per family. */
public record ServicePortKey(ServicePortName name, IpFamily family) implements Comparable<ServicePortKey> {

    private static final Comparator<ServicePortKey> ORDER =
            Comparator.comparing(ServicePortKey::name).thenComparing(ServicePortKey::family);

    public ServicePortKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(family, "family");
    }

    @Override
    public int compareTo(ServicePortKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return name + "/" + family.kubernetesName();
    }
}
