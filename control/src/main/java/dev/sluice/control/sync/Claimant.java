package dev.sluice.control.sync;

import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import java.time.Instant;
import java.util.Comparator;

/** A service port as a claimant of shared entries: the older Service first, then by name. */
record Claimant(Instant created, ServicePortKey port) implements Comparable<Claimant> {
    private static final Comparator<Claimant> ORDER = Comparator
            .comparing(Claimant::created, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Claimant::port);

    static Claimant of(ServicePort port) {
        return new Claimant(port.created(), port.key());
    }

    @Override
    public int compareTo(Claimant other) {
        return ORDER.compare(this, other);
    }
}
