package dev.sluice.control.agent;

import dev.sluice.control.datapath.ConntrackValue;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.Tuple;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

    /**
     * Returns how many entries were deleted. An entry goes when it and its pair have both expired
     * (or its pair is gone), as the datapath sees it: a connection lives while either direction does.
     */
    int sweep() {
        long now = System.nanoTime();
        // Decoded as IPv6 keeps every address byte; an IPv4 entry's addresses are the first four.
        Map<Tuple, ConntrackValue> entries = maps.conntrack(6).lookupBatch();
        List<Tuple> expired = new ArrayList<>();
        entries.forEach((tuple, value) -> {
            if (expired(tuple, value, now)) {
                Tuple pairKey = pairKey(tuple, value);
                ConntrackValue pair = entries.get(pairKey);
                if (pair == null || expired(pairKey, pair, now)) {
                    expired.add(tuple);
                }
            }
        });
        int deleted = expired.isEmpty() ? 0 : maps.conntrack(6).deleteBatch(expired);
        if (deleted > 0) {
            LOG.debug("swept {} expired connection tracking entries", deleted);
        }
        return deleted;
    }

    private static boolean expired(Tuple tuple, ConntrackValue value, long now) {
        return now - value.lastSeenNanos() > TimeUnit.SECONDS.toNanos(ConntrackValue.timeoutSeconds(tuple.protocol(), value.state()));
    }

    /** The key of the pair's other entry: the entry's rewrite with source and destination swapped. */
    static Tuple pairKey(Tuple tuple, ConntrackValue value) {
        return new Tuple(inFamilyOf(tuple, value.natDestination()), inFamilyOf(tuple, value.natSource()),
                value.natDestinationPort(), value.natSourcePort(), tuple.protocol());
    }

    private static InetAddress inFamilyOf(Tuple tuple, InetAddress address) {
        if (!(tuple.source() instanceof Inet4Address) || address instanceof Inet4Address) {
            return address;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOf(address.getAddress(), 4));
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
