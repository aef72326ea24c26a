package dev.sluice.control.source;

import java.util.function.Consumer;

/**
 * Where Services, EndpointSlices and this node's Node come from. Bursts of changes are coalesced
 * into one callback after a quiet period, and callbacks never run concurrently.
 */
public interface ClusterSource extends AutoCloseable {

    /** Starts watching; onChange gets a first snapshot once everything is loaded, then one per change burst. */
    void start(Consumer<ClusterSnapshot> onChange);

    /** Stops watching; no callback starts after this returns. */
    @Override
    void close();
}
