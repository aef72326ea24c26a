package dev.sluice.control.agent;

import static dev.sluice.control.agent.Cluster.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.ConntrackValue;
import dev.sluice.control.datapath.Datapath;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.Tuple;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.PrivateBpffs;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Entries written through the real ct_entries map, aged by their last_seen_ns; the sweep judges them. */
@KernelTest
class ConntrackSweeperTest {
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ICMP = 1;
    // One load for the class: the verifier run costs seconds, and the tests and the sweeper touch
    // ct_entries alone, which is emptied after each test.
    private static PrivateBpffs bpffs;
    private static Datapath datapath;
    private DatapathMaps maps;

    @BeforeAll
    static void load() {
        bpffs = PrivateBpffs.mount();
        try {
            datapath = Datapath.load(bpffs.root().resolve("maps"), Map.of(DatapathMaps.CONNTRACK, 4096));
        } catch (RuntimeException failure) {
            bpffs.close();
            throw failure;
        }
    }

    @AfterAll
    static void unload() {
        try {
            if (datapath != null) {
                datapath.close();
            }
        } finally {
            bpffs.close();
        }
    }

    @BeforeEach
    void startsWithNoEntries() {
        maps = datapath.maps();
        assertThat(maps.conntrack(4).keys()).as("ct_entries left by an earlier test").isEmpty();
    }

    @AfterEach
    void removeEntries() {
        maps.conntrack(4).keys().forEach(maps.conntrack(4)::delete);
    }

    private static Tuple tuple(String source, int sourcePort, int protocol) {
        InetAddress src = ip(source);
        return new Tuple(src, ip(src.getAddress().length == 4 ? "10.96.0.10" : "fd00::10"), sourcePort, 80, protocol);
    }

    private static ConntrackValue value(Tuple tuple, int state, long idleSeconds) {
        return valueSeenAt(tuple, state, System.nanoTime() - TimeUnit.SECONDS.toNanos(idleSeconds));
    }

    private static ConntrackValue valueSeenAt(Tuple tuple, int state, long lastSeenNanos) {
        return new ConntrackValue(tuple.source(), ip(tuple.source().getAddress().length == 4 ? "10.244.1.5" : "fd00::15"),
                tuple.sourcePort(), 8080, 1, 1, state, ConntrackValue.DIRECTION_FORWARD, 0, lastSeenNanos);
    }

    @Test
    void expiredEntriesGoAndLiveOnesStay() {
        Map<Tuple, ConntrackValue> live = new HashMap<>();
        Map<Tuple, ConntrackValue> expired = new HashMap<>();
        Tuple t;
        live.put(t = tuple("10.0.0.1", 1001, TCP), value(t, ConntrackValue.STATE_NEW, 50));
        expired.put(t = tuple("10.0.0.1", 1002, TCP), value(t, ConntrackValue.STATE_NEW, 70));
        live.put(t = tuple("10.0.0.1", 1003, TCP), value(t, ConntrackValue.STATE_ESTABLISHED, 3600));
        live.put(t = tuple("10.0.0.1", 1004, TCP), value(t, ConntrackValue.STATE_CLOSING, 100));
        expired.put(t = tuple("10.0.0.1", 1005, TCP), value(t, ConntrackValue.STATE_CLOSING, 130));
        live.put(t = tuple("10.0.0.1", 1011, TCP), value(t, ConntrackValue.STATE_CLOSED, 5));
        expired.put(t = tuple("10.0.0.1", 1012, TCP), value(t, ConntrackValue.STATE_CLOSED, 15));
        live.put(t = tuple("10.0.0.1", 1006, UDP), value(t, ConntrackValue.STATE_NEW, 20));
        expired.put(t = tuple("10.0.0.1", 1007, UDP), value(t, ConntrackValue.STATE_NEW, 40));
        live.put(t = tuple("10.0.0.1", 1008, UDP), value(t, ConntrackValue.STATE_ESTABLISHED, 120));
        expired.put(t = tuple("10.0.0.1", 1009, UDP), value(t, ConntrackValue.STATE_ESTABLISHED, 200));
        expired.put(t = tuple("10.0.0.1", 1010, ICMP), value(t, ConntrackValue.STATE_NEW, 40));
        live.put(t = tuple("fd00::1", 2001, TCP), value(t, ConntrackValue.STATE_ESTABLISHED, 60));
        expired.put(t = tuple("fd00::1", 2002, UDP), value(t, ConntrackValue.STATE_NEW, 32));
        live.forEach((key, value) -> maps.conntrack(key.source().getAddress().length == 4 ? 4 : 6).put(key, value));
        expired.forEach((key, value) -> maps.conntrack(key.source().getAddress().length == 4 ? 4 : 6).put(key, value));

        int deleted = new ConntrackSweeper(maps).sweep();

        assertThat(deleted).isEqualTo(expired.size());
        assertThat(maps.conntrack(4).keys()).containsExactlyInAnyOrderElementsOf(live.keySet());
        // Live entries are untouched, IPv6 ones included (values decode per family).
        live.forEach((key, value) -> assertThat(maps.conntrack(key.source().getAddress().length == 4 ? 4 : 6).lookup(key))
                .contains(value));
        assertThat(new ConntrackSweeper(maps).sweep()).isZero();
    }

    /** A connection lives while either direction does: half of a live pair is never swept. */
    @Test
    void anExpiredEntryWhosePairIsLiveStays() {
        for (String family : new String[] {"4", "6"}) {
            boolean v4 = family.equals("4");
            InetAddress client = ip(v4 ? "10.0.0.9" : "fd00::9");
            InetAddress frontend = ip(v4 ? "10.96.0.10" : "fd00::10");
            InetAddress backend = ip(v4 ? "10.244.1.5" : "fd00::15");
            long now = System.nanoTime();
            Tuple forward = new Tuple(client, frontend, 5000, 53, UDP);
            Tuple reply = new Tuple(backend, client, 5353, 5000, UDP);
            maps.conntrack(v4 ? 4 : 6).put(forward, new ConntrackValue(client, backend, 5000, 5353, 1, 1,
                    ConntrackValue.STATE_NEW, ConntrackValue.DIRECTION_FORWARD, 0, now));
            maps.conntrack(v4 ? 4 : 6).put(reply, new ConntrackValue(frontend, client, 53, 5000, 1, 1,
                    ConntrackValue.STATE_NEW, ConntrackValue.DIRECTION_REPLY, 0, now - TimeUnit.SECONDS.toNanos(40)));

            assertThat(new ConntrackSweeper(maps).sweep()).as("IPv%s, forward live", family).isZero();

            maps.conntrack(v4 ? 4 : 6).put(forward, new ConntrackValue(client, backend, 5000, 5353, 1, 1,
                    ConntrackValue.STATE_NEW, ConntrackValue.DIRECTION_FORWARD, 0, now - TimeUnit.SECONDS.toNanos(40)));
            assertThat(new ConntrackSweeper(maps).sweep()).as("IPv%s, both expired", family).isEqualTo(2);
        }
    }

    /**
     * The datapath keeps working while the sweep judges its snapshot: an expired entry refreshed,
     * or a new connection put under an expired one's key (a SNAT port taken again), stays.
     */
    @Test
    void anEntryTheDatapathRenewsAfterTheReadStays() {
        Tuple refreshed = tuple("10.0.0.1", 1002, TCP);
        Tuple reused = tuple("fd00::1", 2002, TCP);
        Tuple gone = tuple("10.0.0.1", 1003, TCP);
        for (Tuple t : new Tuple[] {refreshed, reused, gone}) {
            maps.conntrack(t.source().getAddress().length == 4 ? 4 : 6).put(t, value(t, ConntrackValue.STATE_CLOSED, 15));
        }

        int deleted = new ConntrackSweeper(maps).sweep(() -> {
            maps.conntrack(4).put(refreshed, value(refreshed, ConntrackValue.STATE_CLOSED, 0));
            maps.conntrack(6).put(reused, value(reused, ConntrackValue.STATE_NEW, 0));
        }, tuple -> { });

        assertThat(deleted).isEqualTo(1);
        assertThat(maps.conntrack(4).lookup(gone)).isEmpty();
        assertThat(maps.conntrack(4).lookup(refreshed)).isPresent();
        assertThat(maps.conntrack(6).lookup(reused).orElseThrow().state()).isEqualTo(ConntrackValue.STATE_NEW);
    }

    /**
     * The last window: the datapath puts a new connection under a dead entry's key after the sweep
     * judged the entry for the last time, just before the delete. The sweep deletes only the entry
     * it judged; the new one stays as the datapath wrote it.
     */
    @Test
    void aNewConnectionPutUnderTheKeyJustBeforeTheDeleteStays() {
        Tuple reused = tuple("10.0.0.1", 1002, TCP);
        Tuple gone = tuple("fd00::1", 2003, TCP);
        ConntrackValue fresh = value(reused, ConntrackValue.STATE_NEW, 0);
        maps.conntrack(4).put(reused, value(reused, ConntrackValue.STATE_CLOSED, 15));
        maps.conntrack(6).put(gone, value(gone, ConntrackValue.STATE_CLOSED, 15));

        int deleted = new ConntrackSweeper(maps).sweep(() -> { }, tuple -> {
            if (tuple.equals(reused)) {
                maps.conntrack(4).put(reused, fresh);
            }
        });

        assertThat(deleted).isEqualTo(1);
        assertThat(maps.conntrack(6).lookup(gone)).isEmpty();
        assertThat(maps.conntrack(4).lookup(reused)).contains(fresh);
    }

    /**
     * Just past its timeout an entry may still be refreshed in place by a packet that read its
     * clock before the entry expired: the sweep leaves it for the next one.
     */
    @Test
    void anEntryJustPastItsTimeoutWaitsForTheNextSweep() {
        Tuple t = tuple("10.0.0.1", 1002, TCP);
        long timeout = TimeUnit.SECONDS.toNanos(ConntrackValue.timeoutSeconds(TCP, ConntrackValue.STATE_CLOSED));
        ConntrackValue justExpired = valueSeenAt(t, ConntrackValue.STATE_CLOSED,
                System.nanoTime() - timeout - ConntrackSweeper.GRACE_NANOS / 2);
        maps.conntrack(4).put(t, justExpired);

        assertThat(new ConntrackSweeper(maps).sweep()).isZero();
        assertThat(maps.conntrack(4).lookup(t)).contains(justExpired);
    }

    /** A stale forward entry whose reply tuple passed to a live connection is swept; the live connection is not. */
    @Test
    void aStaleEntryIsNotKeptAliveByTheConnectionThatTookItsReplyTuple() {
        InetAddress node = ip("10.0.0.2");
        InetAddress backend = ip("10.244.1.5");
        long now = System.nanoTime();
        Tuple stale = new Tuple(ip("10.0.0.7"), node, 4000, 30080, TCP);
        Tuple current = new Tuple(ip("10.0.0.8"), node, 4100, 30080, TCP);
        Tuple reply = new Tuple(backend, node, 8080, 20000, TCP);
        maps.conntrack(4).put(stale, new ConntrackValue(node, backend, 20000, 8080, 1, 1, ConntrackValue.STATE_CLOSED,
                ConntrackValue.DIRECTION_FORWARD, 0, now - TimeUnit.SECONDS.toNanos(30)));
        maps.conntrack(4).put(current, new ConntrackValue(node, backend, 20000, 8080, 1, 1, ConntrackValue.STATE_ESTABLISHED,
                ConntrackValue.DIRECTION_FORWARD, 0, now));
        maps.conntrack(4).put(reply, new ConntrackValue(node, current.source(), 30080, 4100, 1, 1,
                ConntrackValue.STATE_ESTABLISHED, ConntrackValue.DIRECTION_REPLY, 0, now));

        assertThat(new ConntrackSweeper(maps).sweep()).isEqualTo(1);
        assertThat(maps.conntrack(4).keys()).containsExactlyInAnyOrder(current, reply);
    }

    @Test
    void anEmptyMapIsSweptWithoutComplaint() {
        assertThat(new ConntrackSweeper(maps).sweep()).isZero();
    }
}
