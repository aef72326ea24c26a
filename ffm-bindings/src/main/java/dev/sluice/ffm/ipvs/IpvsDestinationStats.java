package dev.sluice.ffm.ipvs;

/** Connection counts of a destination, as a dump reports them at that moment. */
public record IpvsDestinationStats(long activeConnections, long inactiveConnections, long persistentConnections) {
}
