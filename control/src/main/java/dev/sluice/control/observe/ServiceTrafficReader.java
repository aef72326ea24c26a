package dev.sluice.control.observe;

/**
 * Reads the datapath's per-Service and drop counters (from BPF per-CPU maps, summed). Called on
 * every scrape, from the HTTP event loop: it must be quick and must not wait on the sync loop.
 */
@FunctionalInterface
public interface ServiceTrafficReader {
    DatapathTraffic read();
}
