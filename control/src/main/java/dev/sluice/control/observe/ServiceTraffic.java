package dev.sluice.control.observe;

/** Totals since the datapath started counting (summed over CPUs): monotonic, like any counter. */
public record ServiceTraffic(long packets, long bytes) {
}
