package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.CLIENT_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_MAC;
import static dev.sluice.control.datapath.TestServices.TCP;
import static dev.sluice.control.datapath.XdpNodeServiceTest.CLIENT_PORT;
import static dev.sluice.control.datapath.XdpNodeServiceTest.NODE_PORT;
import static dev.sluice.control.datapath.XdpNodeServiceTest.SERVICE;
import static dev.sluice.control.datapath.XdpNodeServiceTest.TARGET_PORT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.packet.EthernetBuilder;
import dev.sluice.control.datapath.packet.FieldDiff;
import dev.sluice.control.datapath.packet.Frames;
import dev.sluice.control.datapath.packet.Icmp;
import dev.sluice.control.datapath.packet.PacketBuilder;
import dev.sluice.control.datapath.packet.TcpBuilder;
import dev.sluice.control.datapath.packet.TcpFlag;
import dev.sluice.ffm.TestRunResult;
import dev.sluice.ffm.testing.KernelTest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What tc does with a translated packet it cannot send on as it is: too big for the egress MTU
 * (path MTU discovery through the translation), TTL spent, no route. Each has its own drop
 * reason, so no such packet vanishes without a count. NodePort traffic to a remote backend: its
 * SNAT gives it the node's address as its source, so tc, not the stack, forwards it.
 */
@KernelTest
class ForwardingFailureTest extends SharedLabTest {
    /** eth0's MTU in the lab: the egress towards the remote backends. */
    private static final int EGRESS_MTU = 1500;

    /** A NodePort whose one backend is remotePod2, on node-b, reached through eth0. */
    private void installNodePort(LabAddresses net) {
        TestServices.install(lab.maps(), SERVICE, 0, 10800,
                Map.of(12, new BackendValue(net.remotePod2, TARGET_PORT, 0)), TestServices.table(12),
                List.of(new FrontendKey(net.node, NODE_PORT, TCP)), FrontendValue.NODE_PORT);
    }

    private static TcpBuilder segment(LabAddresses net, int ttl, int payload, TcpFlag... flags) {
        return net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, ttl, CLIENT_PORT, NODE_PORT)
                .flags(flags).seq(1000).ack(5001).window(502).payload(new byte[payload]);
    }

    /**
     * A segment of an established connection, 100 bytes over the egress MTU: XDP leaves it to tc,
     * which answers with ICMP fragmentation needed (IPv4, DF set) or packet too big (IPv6) naming
     * the MTU, from the NodePort address and quoting the segment as the client sent it, which is
     * what the client's path MTU discovery matches; nothing goes on towards the backend.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aSegmentOverTheEgressMtuIsAnsweredWithTooBigQuotingWhatTheClientSent(LabAddresses net) {
        installNodePort(net);
        lab.xdp(segment(net, 64, 0, TcpFlag.SYN).build());
        int header = net.v4() ? 20 + 20 : 40 + 20;
        byte[] big = segment(net, 64, EGRESS_MTU - header + 100, TcpFlag.ACK).build();

        assertThat(lab.xdp(big).returnValue()).as("XDP leaves it to tc").isEqualTo(XDP_PASS);
        TestRunResult result = lab.tcNode(big);

        assertThat(result.returnValue()).as("sent back out eth0").isEqualTo(TC_ACT_REDIRECT);
        byte[] sent = Frames.l3(big);
        EthernetBuilder back = Frames.ethernet(NODE_MAC, CLIENT_MAC);
        PacketBuilder tooBig = net.v4()
                ? back.ipv4(net.node, net.client).ttl(64).id(0).dontFragment()
                        .icmp(Icmp.DESTINATION_UNREACHABLE, Icmp.CODE_FRAGMENTATION_NEEDED).restOfHeader(EGRESS_MTU)
                        .body(Arrays.copyOf(sent, 20 + 8))
                : back.ipv6(net.node, net.client).hopLimit(64)
                        .icmpv6(Icmp.V6_PACKET_TOO_BIG, 0).restOfHeader(EGRESS_MTU).body(Arrays.copyOf(sent, 40 + 8));
        FieldDiff.assertSameFrame(tooBig, result.dataOut());
        assertThat(lab.drops(DropReason.PACKET_TOO_BIG)).isEqualTo(1);

        byte[] fits = segment(net, 64, EGRESS_MTU - header, TcpFlag.ACK).build();
        assertThat(lab.tcNode(fits).returnValue()).as("a segment of exactly the MTU goes on").isEqualTo(TC_ACT_REDIRECT);
        assertThat(lab.drops(DropReason.PACKET_TOO_BIG)).isEqualTo(1);
    }

    /** IPv4 without DF: a router would fragment it; tc cannot, and says so in its own count. */
    @Test
    void anIpv4PacketWithoutDontFragmentOverTheMtuIsCountedAsNeedingFragmenting() {
        LabAddresses net = LabAddresses.IPV4;
        installNodePort(net);
        lab.xdp(segment(net, 64, 0, TcpFlag.SYN).build());
        byte[] big = Frames.ethernet(CLIENT_MAC, NODE_MAC).ipv4(net.client, net.node).ttl(64).id(7)
                .tcp(CLIENT_PORT, NODE_PORT).flags(TcpFlag.ACK).seq(1000).ack(5001).window(502)
                .payload(new byte[EGRESS_MTU]).build();

        assertThat(lab.tcNode(big).returnValue()).isEqualTo(TC_ACT_SHOT);
        assertThat(lab.drops(DropReason.NEEDS_FRAGMENTING)).isEqualTo(1);
        assertThat(lab.drops(DropReason.PACKET_TOO_BIG)).isZero();
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aPacketWhoseTtlIsSpentIsCountedAsSuch(LabAddresses net) {
        installNodePort(net);
        assertThat(lab.tcNode(segment(net, 1, 0, TcpFlag.SYN).build()).returnValue()).isEqualTo(TC_ACT_SHOT);
        assertThat(lab.drops(DropReason.TTL_EXPIRED)).isEqualTo(1);
        assertThat(lab.drops(DropReason.FIB_FAILED)).isZero();
    }

    /** A route that refuses the backend (blackhole, unreachable, prohibit) is counted by its kind. */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aRouteFailureIsCountedByItsReason(LabAddresses net) {
        installNodePort(net);
        String backend = net.remotePod2.getHostAddress() + (net.v4() ? "/32" : "/128");
        Map<String, DropReason> reasons = Map.of("blackhole", DropReason.FIB_BLACKHOLE,
                "unreachable", DropReason.FIB_UNREACHABLE, "prohibit", DropReason.FIB_PROHIBIT);
        int port = CLIENT_PORT;
        for (Map.Entry<String, DropReason> kind : reasons.entrySet()) {
            lab.exec("ip", "route", "add", kind.getKey(), backend);
            try {
                byte[] syn = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, ++port, NODE_PORT)
                        .flags(TcpFlag.SYN).seq(1000).window(64240).payload(new byte[0]).build();
                assertThat(lab.tcNode(syn).returnValue()).as("a %s route", kind.getKey()).isEqualTo(TC_ACT_SHOT);
                assertThat(lab.drops(kind.getValue())).as("a %s route", kind.getKey()).isEqualTo(1);
            } finally {
                lab.exec("ip", "route", "del", kind.getKey(), backend);
            }
        }
        assertThat(lab.drops(DropReason.FIB_FAILED)).as("failures no other reason names").isZero();
    }
}
