package dev.sluice.control.observe;

import java.util.Objects;

/**
 * The datapath's counters read on a schedule ({@link #refresh}, from the agent's periodic thread)
 * rather than on every scrape: at 10,000 services one read of the per-CPU maps takes tens of
 * milliseconds, which a scrape (possibly several, from replicated Prometheus servers) must not
 * pay. A scrape serves the last read, at most one refresh period old; counters only move
 * forward, so rates over a scrape window stay right. A failed refresh fails the scrapes that
 * follow it, as a failed read did, until a refresh succeeds.
 */
public final class PeriodicTrafficReader implements ServiceTrafficReader {
    private final ServiceTrafficReader source;
    private volatile DatapathTraffic last;
    private volatile RuntimeException failure;

    public PeriodicTrafficReader(ServiceTrafficReader source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** Reads the counters now; what the next scrapes serve. */
    public void refresh() {
        try {
            last = source.read();
            failure = null;
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    @Override
    public DatapathTraffic read() {
        if (last == null && failure == null) {
            refresh();
        }
        RuntimeException failed = failure;
        if (failed != null) {
            throw failed;
        }
        return last;
    }
}
