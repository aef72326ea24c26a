package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.CLIENT_MAC;
import static dev.sluice.control.datapath.DatapathLab.HASH_SEED;
import static dev.sluice.control.datapath.DatapathLab.NODE_B_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_MAC;
import static dev.sluice.control.datapath.TestServices.TABLE_SIZE;
import static dev.sluice.control.datapath.TestServices.TCP;
import static dev.sluice.control.datapath.TestServices.UDP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.packet.FieldDiff;
import dev.sluice.control.datapath.packet.TcpBuilder;
import dev.sluice.control.datapath.packet.TcpFlag;
import dev.sluice.ffm.TestRunResult;
import dev.sluice.ffm.testing.KernelTest;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** North-south service traffic through xdp_node, packet by packet, over IPv4 and IPv6. */
@KernelTest
class XdpNodeServiceTest extends SharedLabTest {
    static final int NODE_PORT = 30080;
    static final int TARGET_PORT = 8080;
    static final int CLIENT_PORT = 40000;
    static final int SERVICE = 1;

    private void installNodePort(LabAddresses net, int flags, Map<Integer, BackendValue> backends, int[] table) {
        TestServices.install(lab.maps(), SERVICE, flags, 10800, backends, table,
                List.of(new FrontendKey(net.node, NODE_PORT, TCP), new FrontendKey(net.node, NODE_PORT, UDP)),
                FrontendValue.NODE_PORT);
    }

    private Map<Integer, BackendValue> remoteBackends(LabAddresses net) {
        return Map.of(11, new BackendValue(net.remotePod1, TARGET_PORT, 0),
                12, new BackendValue(net.remotePod2, TARGET_PORT, 0));
    }

    private static InetAddress expectedBackend(Map<Integer, BackendValue> backends, int[] table, InetAddress client,
                                               int clientPort, int protocol, boolean withPort) {
        int slot = FlowHash.slot(client, clientPort, protocol, withPort, HASH_SEED, table.length);
        return backends.get(table[slot]).address();
    }

    private TcpBuilder syn(LabAddresses net, InetAddress client, int clientPort) {
        return net.tcp(CLIENT_MAC, NODE_MAC, client, net.node, 64, clientPort, NODE_PORT)
                .flags(TcpFlag.SYN).seq(1000).window(64240).payload(new byte[0]);
    }

    private static void assertFrame(TestRunResult result, int verdict, TcpBuilder expected) {
        assertThat(result.returnValue()).as("XDP verdict").isEqualTo(verdict);
        FieldDiff.assertSameFrame(expected, result.dataOut());
        assertThat(result.dataOut()).isEqualTo(expected.build());
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void nonServiceTrafficPassesUntouched(LabAddresses net) {
        installNodePort(net, 0, remoteBackends(net), TestServices.table(11, 12));
        byte[] ssh = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, CLIENT_PORT, 22).flags(TcpFlag.SYN).build();
        TestRunResult result = lab.xdp(ssh);
        assertThat(result.returnValue()).isEqualTo(XDP_PASS);
        assertThat(result.dataOut()).isEqualTo(ssh);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void nodePortToARemoteBackendIsTranslatedSnatedAndSentOnAndTheReplyComesBack(LabAddresses net) {
        Map<Integer, BackendValue> backends = remoteBackends(net);
        int[] table = TestServices.table(11, 12);
        installNodePort(net, 0, backends, table);
        InetAddress backend = expectedBackend(backends, table, net.client, CLIENT_PORT, TCP, true);

        TestRunResult forward = lab.xdp(syn(net, net.client, CLIENT_PORT).build());

        Tuple original = new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, TCP);
        ConntrackValue entry = lab.maps().conntrack(net.v4() ? 4 : 6).lookup(original).orElseThrow();
        int snatPort = entry.natSourcePort();
        assertThat(snatPort).isBetween(DatapathLab.SNAT_PORT_MIN, DatapathLab.SNAT_PORT_MAX);
        assertThat(entry.natDestination()).isEqualTo(backend);
        assertThat(entry.flags()).isEqualTo(ConntrackValue.F_SNAT);
        assertFrame(forward, XDP_TX, net.tcp(NODE_MAC, NODE_B_MAC, net.node, backend, 63, snatPort, TARGET_PORT)
                .flags(TcpFlag.SYN).seq(1000).window(64240).payload(new byte[0]));

        byte[] synAck = net.tcp(NODE_B_MAC, NODE_MAC, backend, net.node, 64, TARGET_PORT, snatPort)
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(5000).ack(1001).window(65160).payload(new byte[0]).build();
        TestRunResult reply = lab.xdp(synAck);
        assertFrame(reply, XDP_TX, net.tcp(NODE_MAC, CLIENT_MAC, net.node, net.client, 63, NODE_PORT, CLIENT_PORT)
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(5000).ack(1001).window(65160).payload(new byte[0]));
        assertThat(lab.maps().conntrack(net.v4() ? 4 : 6).lookup(new Tuple(backend, net.node, TARGET_PORT, snatPort, TCP))
                .orElseThrow().state()).isEqualTo(ConntrackValue.STATE_ESTABLISHED);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aLocalBackendKeepsTheClientAddressAndIsDeliveredByTheStack(LabAddresses net) {
        Map<Integer, BackendValue> backends = Map.of(21, new BackendValue(net.localPod1, TARGET_PORT, BackendValue.F_LOCAL));
        installNodePort(net, 0, backends, TestServices.table(21));
        TestRunResult result = lab.xdp(syn(net, net.client, CLIENT_PORT).build());
        assertFrame(result, XDP_PASS, net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.localPod1, 64, CLIENT_PORT, TARGET_PORT)
                .flags(TcpFlag.SYN).seq(1000).window(64240).payload(new byte[0]));
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void establishedFlowsStayOnTheirBackendWhenTheTableChanges(LabAddresses net) {
        Map<Integer, BackendValue> backends = remoteBackends(net);
        installNodePort(net, 0, backends, TestServices.table(11, 12));
        lab.xdp(syn(net, net.client, CLIENT_PORT).build());
        InetAddress chosen = lab.maps().conntrack(net.v4() ? 4 : 6)
                .lookup(new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, TCP)).orElseThrow().natDestination();
        int other = chosen.equals(net.remotePod1) ? 12 : 11;

        lab.maps().putMaglevTable(SERVICE, TestServices.table(other));
        byte[] ack = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, CLIENT_PORT, NODE_PORT)
                .flags(TcpFlag.ACK).seq(1001).ack(5001).window(502).payload("GET /".getBytes()).build();
        TestRunResult established = lab.xdp(ack);
        assertThat(established.returnValue()).isEqualTo(XDP_TX);
        assertThat(dstOf(established.dataOut(), net)).isEqualTo(chosen);

        TestRunResult fresh = lab.xdp(syn(net, net.client, CLIENT_PORT + 1).build());
        assertThat(dstOf(fresh.dataOut(), net)).isEqualTo(backends.get(other).address());
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aServiceWithoutBackendsAnswersTcpWithAReset(LabAddresses net) {
        installNodePort(net, 0, Map.of(), TestServices.table());
        TestRunResult result = lab.xdp(syn(net, net.client, CLIENT_PORT).build());
        TcpBuilder reset = net.v4()
                ? dev.sluice.control.datapath.packet.Frames.ethernet(NODE_MAC, CLIENT_MAC).ipv4(net.node, net.client)
                        .ttl(64).id(0).dontFragment().tcp(NODE_PORT, CLIENT_PORT)
                : dev.sluice.control.datapath.packet.Frames.ethernet(NODE_MAC, CLIENT_MAC).ipv6(net.node, net.client)
                        .hopLimit(64).tcp(NODE_PORT, CLIENT_PORT);
        assertFrame(result, XDP_TX, reset.flags(TcpFlag.RST, TcpFlag.ACK).seq(0).ack(1001).window(0).payload(new byte[0]));
        assertThat(lab.drops(DropReason.REJECT_NO_BACKEND)).isEqualTo(1);
    }

    /**
     * Jumbo frames arrive in several buffers (XDP multi-buffer): the headers in the first, the
     * payload in fragments. They translate like any other, payload and checksums intact, both ways.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void framesSpanningSeveralBuffersAreTranslatedWhole(LabAddresses net) {
        lab.node().exec("ip", "link", "set", "eth0", "mtu", "9000");
        Map<Integer, BackendValue> backends = remoteBackends(net);
        int[] table = TestServices.table(11, 12);
        installNodePort(net, 0, backends, table);
        InetAddress backend = expectedBackend(backends, table, net.client, CLIENT_PORT, TCP, true);
        lab.xdp(syn(net, net.client, CLIENT_PORT).build());
        int snatPort = lab.maps().conntrack(net.v4() ? 4 : 6)
                .lookup(new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, TCP)).orElseThrow().natSourcePort();
        byte[] payload = new byte[8000];
        new java.util.Random(7).nextBytes(payload);

        TestRunResult out = lab.xdp(net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, CLIENT_PORT, NODE_PORT)
                .flags(TcpFlag.ACK, TcpFlag.PSH).seq(1001).ack(5001).payload(payload).build());
        assertFrame(out, XDP_TX, net.tcp(NODE_MAC, NODE_B_MAC, net.node, backend, 63, snatPort, TARGET_PORT)
                .flags(TcpFlag.ACK, TcpFlag.PSH).seq(1001).ack(5001).payload(payload));

        TestRunResult back = lab.xdp(net.tcp(NODE_B_MAC, NODE_MAC, backend, net.node, 64, TARGET_PORT, snatPort)
                .flags(TcpFlag.ACK, TcpFlag.PSH).seq(5001).ack(9001).payload(payload).build());
        assertFrame(back, XDP_TX, net.tcp(NODE_MAC, CLIENT_MAC, net.node, net.client, 63, NODE_PORT, CLIENT_PORT)
                .flags(TcpFlag.ACK, TcpFlag.PSH).seq(5001).ack(9001).payload(payload));

        TestRunResult datagram = lab.xdp(net.udp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, CLIENT_PORT, NODE_PORT)
                .payload(payload).build());
        assertThat(datagram.returnValue()).isEqualTo(XDP_TX);
        InetAddress udpBackend = expectedBackend(backends, table, net.client, CLIENT_PORT, UDP, true);
        int udpPort = lab.maps().conntrack(net.v4() ? 4 : 6)
                .lookup(new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, UDP)).orElseThrow().natSourcePort();
        FieldDiff.assertSameFrame(net.udp(NODE_MAC, NODE_B_MAC, net.node, udpBackend, 63, udpPort, TARGET_PORT)
                .payload(payload), datagram.dataOut());
    }

    /** A veth in native mode: XDP must not transmit (it would fail silently), tc sends instead. */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void whereXdpMayNotTransmitTcForwardsAndRejects(LabAddresses net) {
        lab.maps().xdpTxInterfaces().delete(lab.eth0());
        Map<Integer, BackendValue> backends = remoteBackends(net);
        int[] table = TestServices.table(11, 12);
        installNodePort(net, 0, backends, table);
        InetAddress backend = expectedBackend(backends, table, net.client, CLIENT_PORT, TCP, true);
        byte[] syn = syn(net, net.client, CLIENT_PORT).build();

        TestRunResult passed = lab.xdp(syn);
        assertThat(passed.returnValue()).isEqualTo(XDP_PASS);
        assertThat(passed.dataOut()).as("untouched, for tc").isEqualTo(syn);
        TestRunResult sent = lab.tcNode(syn);
        assertThat(sent.returnValue()).isEqualTo(TcPodServiceTest.TC_ACT_REDIRECT);
        int snatPort = lab.maps().conntrack(net.v4() ? 4 : 6)
                .lookup(new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, TCP)).orElseThrow().natSourcePort();
        FieldDiff.assertSameFrame(net.tcp(CLIENT_MAC, NODE_MAC, net.node, backend, 63, snatPort, TARGET_PORT)
                .flags(TcpFlag.SYN).seq(1000).window(64240).payload(new byte[0]), sent.dataOut());

        lab.maps().frontends().put(new FrontendKey(net.node, 30099, TCP), new FrontendValue(2, FrontendValue.NODE_PORT));
        TestServices.install(lab.maps(), 2, 0, 0, Map.of(), TestServices.table(), List.of(), FrontendValue.NODE_PORT);
        byte[] toEmpty = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, CLIENT_PORT, 30099)
                .flags(TcpFlag.SYN).seq(1000).payload(new byte[0]).build();
        assertThat(lab.xdp(toEmpty).returnValue()).isEqualTo(XDP_PASS);
        TestRunResult refused = lab.tcNode(toEmpty);
        assertThat(refused.returnValue()).isEqualTo(TcPodServiceTest.TC_ACT_REDIRECT);
        TcpBuilder reset = net.v4()
                ? dev.sluice.control.datapath.packet.Frames.ethernet(NODE_MAC, CLIENT_MAC).ipv4(net.node, net.client)
                        .ttl(64).id(0).dontFragment().tcp(30099, CLIENT_PORT)
                : dev.sluice.control.datapath.packet.Frames.ethernet(NODE_MAC, CLIENT_MAC).ipv6(net.node, net.client)
                        .hopLimit(64).tcp(30099, CLIENT_PORT);
        FieldDiff.assertSameFrame(reset.flags(TcpFlag.RST, TcpFlag.ACK).seq(0).ack(1001).window(0).payload(new byte[0]),
                refused.dataOut());
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void externalTrafficPolicyLocalWithoutLocalBackendsDrops(LabAddresses net) {
        installNodePort(net, ServiceValue.F_NO_SNAT | ServiceValue.F_DROP_EMPTY, Map.of(), TestServices.table());
        assertThat(lab.xdp(syn(net, net.client, CLIENT_PORT).build()).returnValue()).isEqualTo(XDP_DROP);
        assertThat(lab.drops(DropReason.NO_BACKEND)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void sourceRangesAdmitOnlyTheirSources(LabAddresses net) {
        Map<Integer, BackendValue> backends = remoteBackends(net);
        TestServices.install(lab.maps(), SERVICE, ServiceValue.F_SOURCE_RANGES, 0, backends, TestServices.table(11, 12),
                List.of(new FrontendKey(net.loadBalancerIp, 80, TCP)), FrontendValue.LOAD_BALANCER);
        lab.maps().sourceRanges().put(new SourceRangeKey(SERVICE, net.client, net.v4() ? 30 : 126), (byte) 1);

        byte[] allowed = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.loadBalancerIp, 64, CLIENT_PORT, 80)
                .flags(TcpFlag.SYN).build();
        assertThat(lab.xdp(allowed).returnValue()).isEqualTo(XDP_TX);
        byte[] outsider = net.tcp(CLIENT_MAC, NODE_MAC, net.otherClient, net.loadBalancerIp, 64, CLIENT_PORT, 80)
                .flags(TcpFlag.SYN).build();
        assertThat(lab.xdp(outsider).returnValue()).isEqualTo(XDP_DROP);
        assertThat(lab.drops(DropReason.SOURCE_RANGE)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void clientIpAffinityKeepsAClientOnItsBackendUntilTheTimeoutPasses(LabAddresses net) {
        Map<Integer, BackendValue> backends = remoteBackends(net);
        int[] table = TestServices.table(11, 12);
        installNodePort(net, ServiceValue.F_AFFINITY, backends, table);
        InetAddress first = expectedBackend(backends, table, net.client, 0, TCP, false);

        assertThat(dstOf(lab.xdp(syn(net, net.client, 41000).build()).dataOut(), net)).isEqualTo(first);
        assertThat(dstOf(lab.xdp(syn(net, net.client, 41001).build()).dataOut(), net)).isEqualTo(first);

        int other = first.equals(net.remotePod1) ? 12 : 11;
        lab.maps().putMaglevTable(SERVICE, TestServices.table(other));
        assertThat(dstOf(lab.xdp(syn(net, net.client, 41002).build()).dataOut(), net)).as("remembered").isEqualTo(first);

        AffinityKey key = new AffinityKey(net.client, SERVICE);
        AffinityValue remembered = lab.maps().affinity().lookup(key).orElseThrow();
        lab.maps().affinity().put(key, new AffinityValue(remembered.lastUsedNanos() - 10801L * 1_000_000_000L,
                remembered.backendId(), remembered.backendGeneration(), remembered.serviceGeneration()));
        assertThat(dstOf(lab.xdp(syn(net, net.client, 41003).build()).dataOut(), net)).as("expired")
                .isEqualTo(backends.get(other).address());
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aTerminatingBackendKeepsItsFlowsButTakesNoNewAffinityFlows(LabAddresses net) {
        Map<Integer, BackendValue> backends = remoteBackends(net);
        int[] table = TestServices.table(11, 12);
        installNodePort(net, ServiceValue.F_AFFINITY, backends, table);
        InetAddress first = expectedBackend(backends, table, net.client, 0, TCP, false);
        int firstId = first.equals(net.remotePod1) ? 11 : 12;
        int otherId = firstId == 11 ? 12 : 11;
        lab.xdp(syn(net, net.client, 42000).build());

        // The endpoint starts terminating: the control plane marks it and drops it from the table.
        lab.maps().backends().put(firstId, new BackendValue(first, TARGET_PORT, BackendValue.F_TERMINATING));
        lab.maps().putMaglevTable(SERVICE, TestServices.table(otherId));

        byte[] established = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 42000, NODE_PORT)
                .flags(TcpFlag.ACK).seq(1001).payload(new byte[0]).build();
        assertThat(dstOf(lab.xdp(established).dataOut(), net)).as("established flow").isEqualTo(first);
        assertThat(dstOf(lab.xdp(syn(net, net.client, 42001).build()).dataOut(), net)).as("new flow, same client")
                .isEqualTo(backends.get(otherId).address());
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void serviceTrafficIsCounted(LabAddresses net) {
        installNodePort(net, 0, remoteBackends(net), TestServices.table(11, 12));
        byte[] first = syn(net, net.client, CLIENT_PORT).build();
        byte[] second = syn(net, net.client, CLIENT_PORT + 1).build();
        lab.xdp(first);
        lab.xdp(second);
        TrafficCounter total = lab.maps().traffic().lookup(SERVICE).orElseThrow().stream()
                .reduce(new TrafficCounter(0, 0), TrafficCounter::plus);
        assertThat(total).isEqualTo(new TrafficCounter(2, first.length + second.length));
    }

    /**
     * What XDP cannot send itself it passes on untouched to tc_node on the same interface, which
     * decides it again: each packet is counted once, by whichever program finishes it.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aPacketXdpHandsToTcIsCountedOnce(LabAddresses net) {
        lab.maps().xdpTxInterfaces().delete(lab.eth0());
        installNodePort(net, 0, remoteBackends(net), TestServices.table(11, 12));
        byte[] syn = syn(net, net.client, CLIENT_PORT).build();
        byte[] ack = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, CLIENT_PORT, NODE_PORT)
                .flags(TcpFlag.ACK).seq(1001).ack(5001).window(502).payload("GET /".getBytes()).build();
        for (byte[] frame : List.of(syn, ack)) {
            assertThat(lab.xdp(frame).returnValue()).as("passed on to tc").isEqualTo(XDP_PASS);
            assertThat(lab.tcNode(frame).returnValue()).as("sent by tc").isEqualTo(TcPodServiceTest.TC_ACT_REDIRECT);
        }
        lab.maps().frontends().put(new FrontendKey(net.node, 30099, TCP), new FrontendValue(2, FrontendValue.NODE_PORT));
        TestServices.install(lab.maps(), 2, 0, 0, Map.of(), TestServices.table(), List.of(), FrontendValue.NODE_PORT);
        byte[] toEmpty = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, CLIENT_PORT, 30099)
                .flags(TcpFlag.SYN).seq(1000).payload(new byte[0]).build();
        assertThat(lab.xdp(toEmpty).returnValue()).as("passed on to tc").isEqualTo(XDP_PASS);
        assertThat(lab.tcNode(toEmpty).returnValue()).as("refused by tc").isEqualTo(TcPodServiceTest.TC_ACT_REDIRECT);

        assertThat(traffic(SERVICE)).isEqualTo(new TrafficCounter(2, syn.length + ack.length));
        assertThat(traffic(2)).isEqualTo(new TrafficCounter(1, toEmpty.length));
    }

    /**
     * Refusals are answered within the reply budget, XDP's and tc's together: past it they are
     * dropped unanswered and counted, so forged sources get no flood of RSTs or ICMP errors. All
     * runs on one CPU, whose bucket they share, well within the half second a token takes to come back.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void refusalsBeyondTheReplyBudgetAreDroppedUnansweredAndCounted(LabAddresses net) {
        int budget = 2;
        int beyond = 3;
        lab.maps().config().put(0, new DatapathConfig(HASH_SEED, DatapathLab.SNAT_PORT_MIN, DatapathLab.SNAT_PORT_MAX,
                DatapathLab.NODE4, DatapathLab.NODE6, 0, budget));
        installNodePort(net, 0, Map.of(), TestServices.table());
        List<byte[]> syns = java.util.stream.IntStream.range(0, budget + beyond)
                .mapToObj(i -> syn(net, net.client, CLIENT_PORT + i).build()).toList();
        byte[] datagram = net.udp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, CLIENT_PORT, NODE_PORT)
                .payload(new byte[8]).build();

        List<Integer> verdicts = lab.node().call(() -> {
            OneCpu.pinHere();
            List<Integer> seen = new java.util.ArrayList<>();
            for (byte[] syn : syns) {
                seen.add(lab.datapath().xdpNode().testRun(lab.xdpRun(syn, 1)).returnValue());
            }
            seen.add(lab.datapath().tcNode().testRun(dev.sluice.ffm.TestRun.packet(datagram)).returnValue());
            return seen;
        });

        assertThat(verdicts).containsExactly(XDP_TX, XDP_TX, XDP_DROP, XDP_DROP, XDP_DROP, TcPodServiceTest.TC_ACT_SHOT);
        assertThat(lab.drops(DropReason.REJECT_NO_BACKEND)).as("answered").isEqualTo(budget);
        assertThat(lab.drops(DropReason.REPLY_RATE_LIMITED)).as("unanswered").isEqualTo(beyond + 1);
    }

    private TrafficCounter traffic(int service) {
        return lab.maps().traffic().lookup(service).orElseThrow().stream()
                .reduce(new TrafficCounter(0, 0), TrafficCounter::plus);
    }

    static InetAddress dstOf(byte[] frame, LabAddresses net) {
        return dev.sluice.control.datapath.packet.ParsedFrame.parse(frame).dst();
    }
}
