package dev.sluice.control.source;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where Services, EndpointSlices and this node's Node come from. Bursts of changes are coalesced
 * into one callback after a quiet period, and callbacks never run concurrently.
 */
public interface ClusterSource extends AutoCloseable {

    /** Starts watching; onChange gets a first snapshot once everything is loaded, then one per change burst. */
    void start(Consumer<ClusterSnapshot> onChange);

    /**
     * What keeps the source from following the cluster right now (an API server it cannot reach),
     * one human-readable line each; empty when all is well. Unlike a snapshot's problems, which
     * describe its content, these can appear before the first snapshot and change between
     * snapshots. Any thread may call it.
     */
    default List<String> problems() {
        return List.of();
    }

    /** Stops watching; no callback starts after this returns. */
    @Override
    void close();
}
