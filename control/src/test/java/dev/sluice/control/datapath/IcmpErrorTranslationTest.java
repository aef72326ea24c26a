package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.CLIENT_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_B_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_MAC;
import static dev.sluice.control.datapath.TestServices.TCP;
import static dev.sluice.control.datapath.TestServices.UDP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.packet.FieldDiff;
import dev.sluice.control.datapath.packet.Frames;
import dev.sluice.control.datapath.packet.PacketBuilder;
import dev.sluice.control.datapath.packet.ParsedFrame;
import dev.sluice.control.datapath.packet.TcpFlag;
import dev.sluice.ffm.TestRunResult;
import dev.sluice.ffm.testing.KernelTest;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ICMP errors about translated connections reach the client translated back, so path MTU
 * discovery works through a NodePort; services without backends answer UDP with port unreachable.
 */
@KernelTest
class IcmpErrorTranslationTest extends SharedLabTest {

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aPathMtuErrorAboutTheTranslatedFlowReachesTheClientAboutItsOwnPacket(LabAddresses net) {
        TestServices.install(lab.maps(), 1, 0, 0, Map.of(11, new BackendValue(net.remotePod1, 8080, 0)),
                TestServices.table(11), List.of(new FrontendKey(net.node, 30080, TCP)), FrontendValue.NODE_PORT);
        lab.xdp(net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 40000, 30080)
                .flags(TcpFlag.SYN).seq(1000).window(64240).payload(new byte[0]).build());
        int snatPort = lab.maps().conntrack(net.v4() ? 4 : 6)
                .lookup(new Tuple(net.client, net.node, 40000, 30080, TCP)).orElseThrow().natSourcePort();
        InetAddress router = net.v4() ? DatapathLab.NODE_B4 : DatapathLab.NODE_B6;

        PacketBuilder sentOn = quoted(net, net.node, net.remotePod1, snatPort, 8080);
        byte[] error = icmpTooBig(net, NODE_B_MAC, NODE_MAC, router, net.node, 64, sentOn).build();
        TestRunResult result = lab.xdp(error);

        PacketBuilder clientSent = quoted(net, net.client, net.node, 40000, 30080);
        PacketBuilder expected = icmpTooBig(net, NODE_MAC, CLIENT_MAC, router, net.client, 63, clientSent);
        assertThat(result.returnValue()).isEqualTo(XdpNodeServiceTest.XDP_TX);
        FieldDiff.assertSameFrame(expected, result.dataOut());
        assertThat(result.dataOut()).isEqualTo(expected.build());
        ParsedFrame parsed = ParsedFrame.parse(result.dataOut());
        assertThat(parsed.l4ChecksumValid()).as("ICMP checksum").isTrue();
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void anErrorAboutNoTrackedConnectionIsLeftAlone(LabAddresses net) {
        byte[] error = icmpTooBig(net, NODE_B_MAC, NODE_MAC, net.client, net.node, 64,
                quoted(net, net.node, net.remotePod2, 12345, 8080)).build();
        TestRunResult result = lab.xdp(error);
        assertThat(result.returnValue()).isEqualTo(XdpNodeServiceTest.XDP_PASS);
        assertThat(result.dataOut()).isEqualTo(error);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void udpToAServiceWithoutBackendsIsAnsweredWithPortUnreachable(LabAddresses net) {
        TestServices.install(lab.maps(), 1, 0, 0, Map.of(), TestServices.table(),
                List.of(new FrontendKey(net.node, 30053, UDP)), FrontendValue.NODE_PORT);
        PacketBuilder query = net.udp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 40001, 30053)
                .payload("where are you".getBytes());
        TestRunResult result = lab.xdp(query.build());

        byte[] offending = Frames.l3(query.build());
        PacketBuilder expected = net.v4()
                ? Frames.ethernet(NODE_MAC, CLIENT_MAC).ipv4(net.node, net.client).ttl(64).id(0).dontFragment()
                        .icmpDestinationUnreachable(3, java.util.Arrays.copyOf(offending, 28))
                : Frames.ethernet(NODE_MAC, CLIENT_MAC).ipv6(net.node, net.client).hopLimit(64)
                        .icmpv6DestinationUnreachable(4, java.util.Arrays.copyOf(offending, 48));
        assertThat(result.returnValue()).isEqualTo(XdpNodeServiceTest.XDP_TX);
        FieldDiff.assertSameFrame(expected, result.dataOut());
        assertThat(result.dataOut()).isEqualTo(expected.build());
    }

    /**
     * A local backend's own error about a NodePort connection speaks for the service: translated on
     * the pod's veth, it carries the node's address and must leave by redirect, not up the stack
     * (which drops a packet with its own address as source).
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aLocalBackendsOwnErrorLeavesFromTheServiceAddress(LabAddresses net) {
        TestServices.install(lab.maps(), 1, 0, 0, Map.of(21, new BackendValue(net.localPod1, 8080, BackendValue.F_LOCAL)),
                TestServices.table(21), List.of(new FrontendKey(net.node, 30080, TCP)), FrontendValue.NODE_PORT);
        lab.xdp(net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 40000, 30080)
                .flags(TcpFlag.SYN).seq(1000).window(64240).payload(new byte[0]).build());

        PacketBuilder received = quoted(net, net.client, net.localPod1, 40000, 8080);
        byte[] error = icmpTooBig(net, TcPodServiceTest.POD_MAC, TcPodServiceTest.GATEWAY_MAC, net.localPod1, net.client,
                64, received).build();
        TestRunResult result = lab.tc(error);

        assertThat(result.returnValue()).isEqualTo(TcPodServiceTest.TC_ACT_REDIRECT);
        PacketBuilder clientSent = quoted(net, net.client, net.node, 40000, 30080);
        FieldDiff.assertSameFrame(icmpTooBig(net, TcPodServiceTest.POD_MAC, TcPodServiceTest.GATEWAY_MAC, net.node,
                net.client, 63, clientSent), result.dataOut());
        assertThat(ParsedFrame.parse(result.dataOut()).l4ChecksumValid()).as("ICMP checksum").isTrue();
    }

    private static PacketBuilder quoted(LabAddresses net, InetAddress src, InetAddress dst, int sport, int dport) {
        return net.v4()
                ? Frames.ipv4(src, dst).ttl(63).id(0x1234).dontFragment().tcp(sport, dport)
                        .flags(TcpFlag.SYN).seq(1000).window(64240).payload(new byte[0])
                : Frames.ipv6(src, dst).hopLimit(63).flowLabel(0xbeef).tcp(sport, dport)
                        .flags(TcpFlag.SYN).seq(1000).window(64240).payload(new byte[0]);
    }

    private static PacketBuilder icmpTooBig(LabAddresses net, String srcMac, String dstMac, InetAddress src,
                                            InetAddress dst, int ttl, PacketBuilder invoking) {
        return net.v4()
                ? Frames.ethernet(srcMac, dstMac).ipv4(src, dst).ttl(ttl).id(0x77).icmpFragmentationNeeded(1400, invoking)
                : Frames.ethernet(srcMac, dstMac).ipv6(src, dst).hopLimit(ttl).icmpv6PacketTooBig(1400, invoking);
    }
}
