package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.CLIENT_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_B_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_MAC;
import static dev.sluice.control.datapath.TestServices.TCP;
import static dev.sluice.control.datapath.TestServices.UDP;
import static dev.sluice.control.datapath.XdpNodeServiceTest.XDP_PASS;
import static dev.sluice.control.datapath.XdpNodeServiceTest.XDP_TX;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.packet.FieldDiff;
import dev.sluice.control.datapath.packet.TcpBuilder;
import dev.sluice.control.datapath.packet.TcpFlag;
import dev.sluice.ffm.BpfMap;
import dev.sluice.ffm.TestRunResult;
import dev.sluice.ffm.testing.KernelTest;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One lifecycle per connection, seen from both directions: a NodePort connection to a remote
 * backend (SNAT, both entries on this node) is opened, closed every way TCP closes, and then the
 * client reuses its port, packet by packet through xdp_node.
 */
@KernelTest
class ConntrackLifecycleTest extends SharedLabTest {
    private static final int NODE_PORT = 30080;
    private static final int LB_PORT = 80;
    private static final int TARGET_PORT = 8080;
    private static final int CLIENT_PORT = 40000;
    private static final int BACKEND = 11;
    /** Longer than the closing timeout this datapath once had, which let a reply entry expire alone. */
    private static final long AGED_SECONDS = 11;

    enum Closer { CLIENT, BACKEND }

    /** A connection as this node translated it: the backend and the SNAT port it chose. */
    private record Connection(LabAddresses net, InetAddress backend, int snatPort) {
        Tuple forward() {
            return new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, TCP);
        }

        Tuple reply() {
            return new Tuple(backend, net.node, TARGET_PORT, snatPort, TCP);
        }
    }

    private BpfMap<Tuple, ConntrackValue> conntrack(LabAddresses net) {
        return lab.maps().conntrack(net.v4() ? 4 : 6);
    }

    private void installRemote(LabAddresses net) {
        TestServices.install(lab.maps(), 1, 0, 0, Map.of(BACKEND, new BackendValue(net.remotePod1, TARGET_PORT, 0)),
                TestServices.table(BACKEND), List.of(new FrontendKey(net.node, NODE_PORT, TCP),
                        new FrontendKey(net.node, NODE_PORT, UDP)), FrontendValue.NODE_PORT);
    }

    private static TcpBuilder fromClient(LabAddresses net, InetAddress frontend, int port, TcpFlag... flags) {
        return net.tcp(CLIENT_MAC, NODE_MAC, net.client, frontend, 64, CLIENT_PORT, port).flags(flags)
                .seq(1000).ack(flags.length > 0 && flags[flags.length - 1] == TcpFlag.SYN ? 0 : 5001)
                .payload(new byte[0]);
    }

    private TestRunResult client(LabAddresses net, TcpFlag... flags) {
        return lab.xdp(fromClient(net, net.node, NODE_PORT, flags).build());
    }

    private TestRunResult backend(Connection c, TcpFlag... flags) {
        return lab.xdp(c.net.tcp(NODE_B_MAC, NODE_MAC, c.backend, c.net.node, 64, TARGET_PORT, c.snatPort)
                .flags(flags).seq(5000).ack(1001).payload(new byte[0]).build());
    }

    /** SYN, SYN-ACK, ACK: both entries established. */
    private Connection open(LabAddresses net) {
        Connection c = sentOn(net, TcpFlag.SYN);
        assertReplyReachesTheClient(c, backend(c, TcpFlag.SYN, TcpFlag.ACK), TcpFlag.SYN, TcpFlag.ACK);
        assertThat(client(net, TcpFlag.ACK).returnValue()).isEqualTo(XDP_TX);
        assertStates(c, ConntrackValue.STATE_ESTABLISHED);
        return c;
    }

    /** The client's first segment, translated and sent on: the connection it made. */
    private Connection sentOn(LabAddresses net, TcpFlag flag) {
        assertThat(client(net, flag).returnValue()).as("%s sent on", flag).isEqualTo(XDP_TX);
        ConntrackValue forward = conntrack(net).lookup(new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, TCP))
                .orElseThrow();
        return new Connection(net, forward.natDestination(), forward.natSourcePort());
    }

    private static void assertReplyReachesTheClient(Connection c, TestRunResult result, TcpFlag... flags) {
        assertThat(result.returnValue()).as("reply of %s translated and sent to the client", c).isEqualTo(XDP_TX);
        FieldDiff.assertSameFrame(c.net.tcp(NODE_MAC, CLIENT_MAC, c.net.node, c.net.client, 63, NODE_PORT, CLIENT_PORT)
                .flags(flags).seq(5000).ack(1001).payload(new byte[0]), result.dataOut());
    }

    private void assertStates(Connection c, int state) {
        assertThat(conntrack(c.net).lookup(c.forward()).orElseThrow().state()).as("forward entry").isEqualTo(state);
        assertThat(conntrack(c.net).lookup(c.reply()).orElseThrow().state()).as("reply entry").isEqualTo(state);
    }

    /** Moves an entry's last sighting into the past, as if the connection had been idle that long. */
    private void age(LabAddresses net, Tuple tuple, long seconds) {
        ConntrackValue v = conntrack(net).lookup(tuple).orElseThrow();
        conntrack(net).put(tuple, new ConntrackValue(v.natSource(), v.natDestination(), v.natSourcePort(),
                v.natDestinationPort(), v.backendId(), v.serviceId(), v.state(), v.direction(), v.flags(),
                v.lastSeenNanos() - TimeUnit.SECONDS.toNanos(seconds)));
    }

    private TestRunResult close(Connection c, Closer closer, TcpFlag... flags) {
        return closer == Closer.CLIENT ? client(c.net, flags) : backend(c, flags);
    }

    private static Closer other(Closer closer) {
        return closer == Closer.CLIENT ? Closer.BACKEND : Closer.CLIENT;
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aFinFromEitherSideClosesBothEntriesAndTheSecondFinClosesTheConnection(LabAddresses net) {
        installRemote(net);
        for (Closer first : Closer.values()) {
            Connection c = open(net);
            close(c, first, TcpFlag.FIN, TcpFlag.ACK);
            assertStates(c, ConntrackValue.STATE_CLOSING);
            // Half-close: the other side still sends data, and it still arrives.
            assertThat(close(c, other(first), TcpFlag.ACK, TcpFlag.PSH).returnValue()).isEqualTo(XDP_TX);
            close(c, other(first), TcpFlag.FIN, TcpFlag.ACK);
            assertStates(c, ConntrackValue.STATE_CLOSED);
            // The client reuses its port for the next round.
            assertThat(client(net, TcpFlag.SYN).returnValue()).isEqualTo(XDP_TX);
            conntrack(net).delete(c.forward());
        }
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aRstFromEitherSideClosesBothEntries(LabAddresses net) {
        installRemote(net);
        for (Closer closer : Closer.values()) {
            Connection c = open(net);
            close(c, closer, TcpFlag.RST);
            assertStates(c, ConntrackValue.STATE_CLOSED);
            conntrack(net).delete(c.forward());
            conntrack(net).delete(c.reply());
        }
    }

    /**
     * The backend closes, the client says nothing more, time passes: the next connection from the
     * same client port must be a new connection whose replies come back, not a ghost of the old one.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aSynOnAConnectionTheBackendClosedStartsANewOne(LabAddresses net) {
        installRemote(net);
        for (TcpFlag close : List.of(TcpFlag.FIN, TcpFlag.RST)) {
            Connection old = open(net);
            backend(old, close, TcpFlag.ACK);
            age(net, old.forward(), AGED_SECONDS);
            age(net, old.reply(), AGED_SECONDS);

            assertThat(client(net, TcpFlag.SYN).returnValue()).as("new SYN after the backend's %s", close)
                    .isEqualTo(XDP_TX);
            ConntrackValue fresh = conntrack(net).lookup(old.forward()).orElseThrow();
            assertThat(fresh.state()).isEqualTo(ConntrackValue.STATE_NEW);
            Connection c = new Connection(net, fresh.natDestination(), fresh.natSourcePort());
            assertThat(c.snatPort).as("the same backend: the client keeps its SNAT port").isEqualTo(old.snatPort);
            assertThat(conntrack(net).lookup(c.reply()).orElseThrow().state()).isEqualTo(ConntrackValue.STATE_NEW);
            assertReplyReachesTheClient(c, backend(c, TcpFlag.SYN, TcpFlag.ACK), TcpFlag.SYN, TcpFlag.ACK);
            assertThat(client(net, TcpFlag.ACK).returnValue()).isEqualTo(XDP_TX);
            assertStates(c, ConntrackValue.STATE_ESTABLISHED);
            client(net, TcpFlag.RST);
        }
    }

    /**
     * After the client resets a connection to a local backend, a new connection from the same port
     * to another frontend of the same backend carries the same reply tuple. It must be accepted,
     * not dropped as a conflict (once counted as conntrack_full on an empty map).
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aClosedConnectionsReplyTupleIsFreeForTheNextConnection(LabAddresses net) {
        TestServices.install(lab.maps(), 1, 0, 0, Map.of(21, new BackendValue(net.localPod1, TARGET_PORT, BackendValue.F_LOCAL)),
                TestServices.table(21), List.of(new FrontendKey(net.node, NODE_PORT, TCP)), FrontendValue.NODE_PORT);
        lab.maps().frontends().put(new FrontendKey(net.loadBalancerIp, LB_PORT, TCP),
                new FrontendValue(1, FrontendValue.LOAD_BALANCER));
        assertThat(client(net, TcpFlag.SYN).returnValue()).isEqualTo(XDP_PASS);
        lab.tc(net.tcp(TcPodServiceTest.POD_MAC, TcPodServiceTest.GATEWAY_MAC, net.localPod1, net.client, 64, TARGET_PORT,
                CLIENT_PORT).flags(TcpFlag.SYN, TcpFlag.ACK).seq(5000).ack(1001).payload(new byte[0]).build());
        client(net, TcpFlag.RST, TcpFlag.ACK);

        TestRunResult next = lab.xdp(fromClient(net, net.loadBalancerIp, LB_PORT, TcpFlag.SYN).build());
        assertThat(next.returnValue()).isEqualTo(XDP_PASS);
        FieldDiff.assertSameFrame(net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.localPod1, 64, CLIENT_PORT, TARGET_PORT)
                .flags(TcpFlag.SYN).seq(1000).ack(0).payload(new byte[0]), next.dataOut());
        ConntrackValue reply = conntrack(net).lookup(new Tuple(net.localPod1, net.client, TARGET_PORT, CLIENT_PORT, TCP))
                .orElseThrow();
        assertThat(reply.natSource()).as("replies now leave as the LoadBalancer IP").isEqualTo(net.loadBalancerIp);
        assertThat(conntrack(net).lookup(new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, TCP)))
                .as("the closed connection's forward entry went with its reply entry").isEmpty();
        assertThat(lab.drops(DropReason.CONNTRACK_FULL)).isZero();
    }

    /**
     * SNAT prefers a port nobody holds, takes over a closed connection's port when there is none
     * (the backend may still hold that one in TIME_WAIT), and counts exhaustion when every port is
     * in use. Two ports make each step certain.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void snatPrefersFreePortsThenClosedOnesAndCountsExhaustion(LabAddresses net) {
        lab.maps().config().put(0, new DatapathConfig(DatapathLab.HASH_SEED, 61000, 61001, DatapathLab.NODE4, DatapathLab.NODE6));
        installRemote(net);
        int first = snatPortOf(net, 40001);
        lab.xdp(net.tcp(NODE_B_MAC, NODE_MAC, net.remotePod1, net.node, 64, TARGET_PORT, first)
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(5000).ack(1001).payload(new byte[0]).build());
        lab.xdp(fromClient(net, 40001, TcpFlag.RST).build());

        int second = snatPortOf(net, 40002);
        assertThat(second).as("the free port, not the closed one").isNotEqualTo(first);
        int third = snatPortOf(net, 40003);
        assertThat(third).as("no port is free: the closed connection's").isEqualTo(first);

        assertThat(lab.xdp(fromClient(net, 40004, TcpFlag.SYN).build()).returnValue()).isEqualTo(XdpNodeServiceTest.XDP_DROP);
        assertThat(lab.drops(DropReason.SNAT_PORTS_EXHAUSTED)).isEqualTo(1);
    }

    /**
     * Of closed ports, SNAT takes one the backend has been quiet on: a TIME_WAIT that just sent
     * an ACK drops the next SYN without a word. Each round ages the port the other round took.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void snatTakesTheClosedPortTheBackendHasBeenQuietOn(LabAddresses net) {
        lab.maps().config().put(0, new DatapathConfig(DatapathLab.HASH_SEED, 61000, 61001, DatapathLab.NODE4, DatapathLab.NODE6));
        installRemote(net);
        int first = openAndReset(net, 40001);
        int second = openAndReset(net, 40002);
        assertThat(second).isNotEqualTo(first);

        age(net, new Tuple(net.remotePod1, net.node, TARGET_PORT, first, TCP), 2);
        assertThat(openAndReset(net, 40003)).as("the port closed two seconds ago").isEqualTo(first);
        age(net, new Tuple(net.remotePod1, net.node, TARGET_PORT, second, TCP), 2);
        assertThat(openAndReset(net, 40004)).as("the port closed two seconds ago").isEqualTo(second);
        assertThat(lab.drops(DropReason.SNAT_PORTS_EXHAUSTED)).isZero();
    }

    /** A connection from this client port through SNAT, accepted by the backend, then reset by the client: its SNAT port. */
    private int openAndReset(LabAddresses net, int clientPort) {
        int port = snatPortOf(net, clientPort);
        lab.xdp(net.tcp(NODE_B_MAC, NODE_MAC, net.remotePod1, net.node, 64, TARGET_PORT, port)
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(5000).ack(1001).payload(new byte[0]).build());
        lab.xdp(fromClient(net, clientPort, TcpFlag.RST).build());
        return port;
    }

    private TcpBuilder fromClient(LabAddresses net, int clientPort, TcpFlag flag) {
        return net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, clientPort, NODE_PORT).flags(flag)
                .seq(1000).payload(new byte[0]);
    }

    private int snatPortOf(LabAddresses net, int clientPort) {
        assertThat(lab.xdp(fromClient(net, clientPort, TcpFlag.SYN).build()).returnValue()).isEqualTo(XDP_TX);
        return conntrack(net).lookup(new Tuple(net.client, net.node, clientPort, NODE_PORT, TCP)).orElseThrow().natSourcePort();
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aRetransmittedSynRestoresAnEvictedReplyEntry(LabAddresses net) {
        installRemote(net);
        client(net, TcpFlag.SYN);
        ConntrackValue forward = conntrack(net).lookup(new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, TCP))
                .orElseThrow();
        Connection c = new Connection(net, forward.natDestination(), forward.natSourcePort());
        conntrack(net).delete(c.reply());

        assertThat(client(net, TcpFlag.SYN).returnValue()).isEqualTo(XDP_TX);
        assertReplyReachesTheClient(c, backend(c, TcpFlag.SYN, TcpFlag.ACK), TcpFlag.SYN, TcpFlag.ACK);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void anEvictedForwardEntryComesBackOnTheSameSnatPort(LabAddresses net) {
        installRemote(net);
        Connection c = open(net);
        conntrack(net).delete(c.forward());

        TestRunResult data = client(net, TcpFlag.ACK, TcpFlag.PSH);
        assertThat(data.returnValue()).isEqualTo(XDP_TX);
        assertThat(conntrack(net).lookup(c.forward()).orElseThrow().natSourcePort()).isEqualTo(c.snatPort);
        assertReplyReachesTheClient(c, backend(c, TcpFlag.ACK), TcpFlag.ACK);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aUdpReplyEstablishesBothEntries(LabAddresses net) {
        installRemote(net);
        lab.xdp(net.udp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, CLIENT_PORT, NODE_PORT).payload(new byte[8]).build());
        Tuple forward = new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, UDP);
        ConntrackValue entry = conntrack(net).lookup(forward).orElseThrow();
        Tuple reply = new Tuple(entry.natDestination(), net.node, TARGET_PORT, entry.natSourcePort(), UDP);
        lab.xdp(net.udp(NODE_B_MAC, NODE_MAC, entry.natDestination(), net.node, 64, TARGET_PORT, entry.natSourcePort())
                .payload(new byte[8]).build());
        assertThat(conntrack(net).lookup(forward).orElseThrow().state()).isEqualTo(ConntrackValue.STATE_ESTABLISHED);
        assertThat(conntrack(net).lookup(reply).orElseThrow().state()).isEqualTo(ConntrackValue.STATE_ESTABLISHED);
    }

    /** A connection lives while either direction does: a one-way UDP flow's late answer still comes back. */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void anIdleReplyEntryLivesWhileItsPairDoes(LabAddresses net) {
        installRemote(net);
        byte[] datagram = net.udp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, CLIENT_PORT, NODE_PORT)
                .payload(new byte[8]).build();
        lab.xdp(datagram);
        Tuple forward = new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, UDP);
        ConntrackValue entry = conntrack(net).lookup(forward).orElseThrow();
        Tuple reply = new Tuple(entry.natDestination(), net.node, TARGET_PORT, entry.natSourcePort(), UDP);
        age(net, reply, ConntrackValue.timeoutSeconds(UDP, ConntrackValue.STATE_NEW) + 5);
        assertThat(lab.xdp(datagram).returnValue()).as("the client keeps sending").isEqualTo(XDP_TX);

        TestRunResult answer = lab.xdp(net.udp(NODE_B_MAC, NODE_MAC, entry.natDestination(), net.node, 64, TARGET_PORT,
                entry.natSourcePort()).payload(new byte[8]).build());
        assertThat(answer.returnValue()).isEqualTo(XDP_TX);
        FieldDiff.assertSameFrame(net.udp(NODE_MAC, CLIENT_MAC, net.node, net.client, 63, NODE_PORT, CLIENT_PORT)
                .payload(new byte[8]), answer.dataOut());
    }

    /**
     * Another CPU may stamp an entry after this packet read the clock. The connection is alive, not
     * idle for centuries: it once looked expired here, and its next packet started a new flow.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void anEntryStampedAfterThisPacketReadTheClockIsLive(LabAddresses net) {
        installRemote(net);
        Connection c = open(net);
        age(net, c.forward(), -2);
        age(net, c.reply(), -2);

        assertReplyReachesTheClient(c, backend(c, TcpFlag.ACK), TcpFlag.ACK);
        assertThat(client(net, TcpFlag.ACK).returnValue()).isEqualTo(XDP_TX);
        assertStates(c, ConntrackValue.STATE_ESTABLISHED);
    }

    /**
     * A SNAT port taken over from a closed connection may meet the backend's TIME_WAIT, which
     * answers the SYN with a challenge ACK. The client resets that (clearing the TIME_WAIT) and
     * sends its SYN again: the tuple must still be its own, not closed and handed to the next
     * client, whose SYN would meet the same fate.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aClientsResetOfATimeWaitChallengeKeepsItsTupleForTheRetriedSyn(LabAddresses net) {
        installRemote(net);
        Connection c = sentOn(net, TcpFlag.SYN);

        assertReplyReachesTheClient(c, backend(c, TcpFlag.ACK), TcpFlag.ACK);
        assertStates(c, ConntrackValue.STATE_NEW);
        assertThat(client(net, TcpFlag.RST).returnValue()).as("the reset reaches the backend").isEqualTo(XDP_TX);
        assertStates(c, ConntrackValue.STATE_NEW);

        assertThat(client(net, TcpFlag.SYN).returnValue()).isEqualTo(XDP_TX);
        assertThat(conntrack(net).lookup(c.forward()).orElseThrow().natSourcePort()).as("SNAT port of the retried SYN")
                .isEqualTo(c.snatPort());
        assertReplyReachesTheClient(c, backend(c, TcpFlag.SYN, TcpFlag.ACK), TcpFlag.SYN, TcpFlag.ACK);
        assertStates(c, ConntrackValue.STATE_ESTABLISHED);
    }

    /**
     * A TCP segment other than a SYN starts nothing: a flood of stray ACKs, RSTs and FINs to a
     * service with a remote backend (SNAT) and to one with a local backend and ClientIP affinity
     * leaves no conntrack entry, no SNAT port taken and no affinity entry; each is dropped and counted.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void strayTcpSegmentsCreateNoState(LabAddresses net) {
        installRemote(net);
        TestServices.install(lab.maps(), 2, ServiceValue.F_AFFINITY, 10800,
                Map.of(21, new BackendValue(net.localPod1, TARGET_PORT, BackendValue.F_LOCAL)), TestServices.table(21),
                List.of(new FrontendKey(net.loadBalancerIp, LB_PORT, TCP)), FrontendValue.LOAD_BALANCER);
        List<TcpFlag[]> strays = List.of(new TcpFlag[] {TcpFlag.ACK}, new TcpFlag[] {TcpFlag.RST},
                new TcpFlag[] {TcpFlag.RST, TcpFlag.ACK}, new TcpFlag[] {TcpFlag.FIN, TcpFlag.ACK},
                new TcpFlag[] {TcpFlag.ACK, TcpFlag.PSH}, new TcpFlag[] {TcpFlag.SYN, TcpFlag.ACK});
        List<byte[]> flood = new java.util.ArrayList<>();
        for (int port = 0; port < 32; port++) {
            for (TcpFlag[] flags : strays) {
                flood.add(net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 20000 + port, NODE_PORT)
                        .flags(flags).seq(1000).ack(5001).payload(new byte[0]).build());
                flood.add(net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.loadBalancerIp, 64, 20000 + port, LB_PORT)
                        .flags(flags).seq(1000).ack(5001).payload(new byte[0]).build());
            }
        }

        List<TestRunResult> results = lab.xdpAll(flood);
        assertThat(conntrack(net).keys()).as("conntrack entries").isEmpty();
        assertThat(lab.maps().affinity().keys()).as("affinity entries").isEmpty();
        assertThat(results).allSatisfy(result -> assertThat(result.returnValue()).isEqualTo(XdpNodeServiceTest.XDP_DROP));
        assertThat(lab.drops(DropReason.NO_CONNECTION)).isEqualTo(flood.size());
    }

    /**
     * A closed connection's SNAT port passes to the next connection. The first connection's
     * stale forward entry, found when its client reuses its port, must not count as live through
     * the second's reply entry, nor take that entry with it when it is replaced.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aStaleEntryLeavesAloneTheConnectionThatTookItsSnatPort(LabAddresses net) {
        installRemote(net);
        Connection current = open(net);
        ConntrackValue live = conntrack(net).lookup(current.forward()).orElseThrow();
        Tuple stale = new Tuple(net.client, net.node, CLIENT_PORT + 1, NODE_PORT, TCP);
        conntrack(net).put(stale, new ConntrackValue(net.node, current.backend(), current.snatPort(), TARGET_PORT,
                live.backendId(), live.serviceId(), ConntrackValue.STATE_CLOSED, ConntrackValue.DIRECTION_FORWARD,
                ConntrackValue.F_SNAT, live.lastSeenNanos() - TimeUnit.SECONDS.toNanos(30)));

        assertThat(lab.xdp(fromClient(net, CLIENT_PORT + 1, TcpFlag.SYN).build()).returnValue()).isEqualTo(XDP_TX);
        assertThat(conntrack(net).lookup(stale).orElseThrow().natSourcePort()).as("the reused client port's new SNAT port")
                .isNotEqualTo(current.snatPort());
        assertReplyReachesTheClient(current, backend(current, TcpFlag.ACK), TcpFlag.ACK);
        assertStates(current, ConntrackValue.STATE_ESTABLISHED);
    }

    /**
     * A connection the kernel NATed before sluice took the node over (kube-proxy's rules): its
     * later segments stay with nf_conntrack, untouched, and sluice tracks nothing for them; a new
     * connection on the same tuple (a SYN) is sluice's and expires the kernel's entry (whose tuples
     * would clash with the kernel's view of the new connection), and a segment neither knows is
     * dropped without leaving state.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aConnectionTheKernelNatedBeforeSluiceIsLeftToTheKernel(LabAddresses net) {
        installRemote(net);
        lab.exec("conntrack", "-I", "-p", "tcp", "--state", "ESTABLISHED", "--timeout", "600",
                "-s", net.client.getHostAddress(), "-d", net.node.getHostAddress(),
                "--sport", String.valueOf(CLIENT_PORT), "--dport", String.valueOf(NODE_PORT),
                "-r", net.remotePod2.getHostAddress(), "-q", net.node.getHostAddress(),
                "--reply-port-src", String.valueOf(TARGET_PORT), "--reply-port-dst", String.valueOf(CLIENT_PORT));
        Tuple forward = new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, TCP);
        byte[] segment = fromClient(net, net.node, NODE_PORT, TcpFlag.ACK).build();

        TestRunResult xdp = lab.xdp(segment);
        assertThat(xdp.returnValue()).isEqualTo(XDP_PASS);
        assertThat(xdp.dataOut()).isEqualTo(segment);
        TestRunResult tc = lab.tcNode(segment);
        assertThat(tc.returnValue()).as("tc_node leaves it to the stack").isZero();
        assertThat(tc.dataOut()).isEqualTo(segment);
        assertThat(conntrack(net).lookup(forward)).isEmpty();

        Tuple unknown = new Tuple(net.client, net.node, CLIENT_PORT + 1, NODE_PORT, TCP);
        assertThat(lab.xdp(fromClient(net, CLIENT_PORT + 1, TcpFlag.ACK).build()).returnValue())
                .as("a segment neither knows").isEqualTo(XdpNodeServiceTest.XDP_DROP);
        assertThat(conntrack(net).lookup(unknown)).isEmpty();

        assertThat(kernelConntrackCount()).as("nf_conntrack's entries before the new connection").isOne();
        assertThat(client(net, TcpFlag.SYN).returnValue()).as("a new connection on the tuple").isEqualTo(XDP_TX);
        assertThat(conntrack(net).lookup(forward)).isPresent();
        assertThat(kernelConntrackCount()).as("nf_conntrack's entries after the new connection's SYN").isZero();
    }

    /** nf_conntrack's entries in the node's namespace, counting expired ones not yet unlinked (a dump leaves them out). */
    private int kernelConntrackCount() {
        return Integer.parseInt(lab.exec("conntrack", "-C").strip());
    }
}
