package dev.sluice.control.agent;

import dev.sluice.control.datapath.ConntrackValue;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.Tuple;
import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.BpfMap;
import dev.sluice.ffm.Errno;
import dev.sluice.ffm.UpdateMode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes connection tracking entries idle past their state's timeout. The datapath already
 * ignores them and the LRU evicts under pressure; the sweep keeps the map's occupancy honest.
 * The timeouts are ConntrackValue's (bpf/lib/conntrack.h's); bpf_ktime_get_ns and System.nanoTime both read
 * CLOCK_MONOTONIC on Linux, so ages compare directly.
 */
final class ConntrackSweeper implements WritePath {
    private static final Logger LOG = LoggerFactory.getLogger(ConntrackSweeper.class);

    /**
     * How long past its timeout an entry must be before it is deleted: far longer than a BPF
     * program runs, far shorter than any timeout (see {@link #sweep(Runnable, Consumer)}).
     */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final DatapathMaps maps;
    private volatile String failure;

    ConntrackSweeper(DatapathMaps maps) {
        this.maps = maps;
    }

    /**
     * Returns how many entries were deleted. An entry goes when it and its pair have both expired
     * (or its pair is gone), as the datapath sees it (bpf/lib/conntrack.h's ct_lookup): a
     * connection lives while either direction does.
     */
    int sweep() {
        try {
            int deleted = sweep(() -> { }, tuple -> { });
            failure = null;
            return deleted;
        } catch (RuntimeException e) {
            // The next sweep tries again; meanwhile the table keeps dead entries and may fill.
            failure = "cannot sweep " + DatapathMaps.CONNTRACK + ": " + (e.getMessage() == null ? e : e.getMessage());
            throw e;
        }
    }

    @Override
    public java.util.List<String> failures() {
        String failed = failure;
        return failed == null ? java.util.List.of() : java.util.List.of(failed);
    }

    /**
     * The datapath keeps working while the sweep runs, and the map has no compare-and-delete. Two
     * things make the delete safe all the same:
     * <ul>
     * <li>An entry is judged as of {@link #GRACE_NANOS} ago. The datapath refreshes an entry in
     * place only while it is live by the clock the packet read; a packet that read its clock before
     * the entry expired and writes after the sweep judged it would have to take that long, which a
     * BPF program never does. So an entry judged dead is never refreshed in place again.</li>
     * <li>What the datapath can still do is put a new connection under a dead entry's key (a SNAT
     * port taken again), at any moment up to the delete. So the delete takes the entry
     * ({@link DatapathMaps#takeConntrack}), which returns exactly what it removed: anything but the
     * entry judged dead is put back, unless the datapath has written that key again meanwhile.</li>
     * </ul>
     * The batch read is a snapshot, so each candidate is read again and judged afresh before it is
     * taken. {@code afterRead} and {@code beforeTake} let a test step in between.
     */
    int sweep(Runnable afterRead, Consumer<Tuple> beforeTake) {
        BpfMap<Tuple, ConntrackValue> conntrack = maps.conntrack(6);
        // Decoded as IPv6 keeps every address byte; an IPv4 entry's addresses are the first four.
        Map<Tuple, ConntrackValue> entries = conntrack.lookupBatch();
        long judgedAt = System.nanoTime() - GRACE_NANOS;
        List<Tuple> candidates = new ArrayList<>();
        entries.forEach((tuple, value) -> {
            if (deadPair(tuple, value, entries.get(pairKey(tuple, value)), judgedAt)) {
                candidates.add(tuple);
            }
        });
        afterRead.run();
        int deleted = 0;
        for (Tuple tuple : candidates) {
            Optional<ConntrackValue> value = conntrack.lookup(tuple);
            long checkedAt = System.nanoTime() - GRACE_NANOS;
            if (value.isEmpty()
                    || !deadPair(tuple, value.get(), conntrack.lookup(pairKey(tuple, value.get())).orElse(null), checkedAt)) {
                continue;
            }
            beforeTake.accept(tuple);
            Optional<ConntrackValue> taken = maps.takeConntrack(tuple, 6);
            if (taken.isEmpty()) {
                continue;
            }
            if (taken.equals(value)) {
                deleted++;
            } else {
                putBack(conntrack, tuple, taken.get());
            }
        }
        if (deleted > 0) {
            LOG.debug("swept {} expired connection tracking entries", deleted);
        }
        return deleted;
    }

    /** Puts back an entry taken by mistake, unless the datapath has already written its key again. */
    private static void putBack(BpfMap<Tuple, ConntrackValue> conntrack, Tuple tuple, ConntrackValue value) {
        try {
            conntrack.update(tuple, value, UpdateMode.NO_EXIST);
        } catch (BpfException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    /**
     * Whether the entry and its pair are both past their timeouts. What its pair key holds counts
     * only if it leads back to the entry: a closed connection's reply tuple (a SNAT port) passes
     * to the next connection, which must not keep the first's stale forward entry alive.
     */
    private static boolean deadPair(Tuple tuple, ConntrackValue value, ConntrackValue pair, long now) {
        Tuple pairKey = pairKey(tuple, value);
        return expired(tuple, value, now)
                && (pair == null || !pairKey(pairKey, pair).equals(tuple) || expired(pairKey, pair, now));
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
