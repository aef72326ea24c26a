package dev.sluice.control.agent;

import dev.sluice.control.datapath.ConntrackValue;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.Tuple;
import dev.sluice.ffm.BpfMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes connection tracking entries idle past their state's timeout. The datapath already
 * ignores them and the LRU evicts under pressure; the sweep keeps the map's occupancy honest.
 * The timeouts are ConntrackValue's (bpf/lib/conntrack.h's); bpf_ktime_get_ns and System.nanoTime both read
 * CLOCK_MONOTONIC on Linux, so ages compare directly.
 */
final class ConntrackSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(ConntrackSweeper.class);

    private final DatapathMaps maps;

    ConntrackSweeper(DatapathMaps maps) {
        this.maps = maps;
    }

    /** Returns how many entries were deleted. */
    int sweep() {
        long now = System.nanoTime();
        // Values decode the same for both families as far as state and age go.
        BpfMap<Tuple, ConntrackValue> entries = maps.conntrack(4);
        List<Tuple> expired = new ArrayList<>();
        entries.lookupBatch().forEach((tuple, value) -> {
            long idle = now - value.lastSeenNanos();
            if (idle > TimeUnit.SECONDS.toNanos(ConntrackValue.timeoutSeconds(tuple.protocol(), value.state()))) {
                expired.add(tuple);
            }
        });
        int deleted = expired.isEmpty() ? 0 : entries.deleteBatch(expired);
        if (deleted > 0) {
            LOG.debug("swept {} expired connection tracking entries", deleted);
        }
        return deleted;
    }
}
