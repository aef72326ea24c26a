package dev.sluice.control.sync;

import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.SourceRangeKey;
import java.util.HashSet;
import java.util.Set;

/** The map keys a change may have touched: the only ones a reconcile needs to compare. */
final class Touched {
    final Set<Integer> backends = new HashSet<>();
    /** Service ids: their service, table, digest and name entries. */
    final Set<Integer> services = new HashSet<>();
    final Set<FrontendKey> frontends = new HashSet<>();
    final Set<SourceRangeKey> sourceRanges = new HashSet<>();

    void addAll(Touched other) {
        backends.addAll(other.backends);
        services.addAll(other.services);
        frontends.addAll(other.frontends);
        sourceRanges.addAll(other.sourceRanges);
    }

    void clear() {
        backends.clear();
        services.clear();
        frontends.clear();
        sourceRanges.clear();
    }
}
