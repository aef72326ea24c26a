package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.CLIENT_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_MAC;
import static dev.sluice.control.datapath.TestServices.TCP;
import static dev.sluice.control.datapath.TestServices.UDP;
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
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Traffic leaving pods through tc_pod_ingress: ClusterIP, replies of local backends, hairpin. */
@KernelTest
class TcPodServiceTest extends SharedLabTest {
    static final String POD_MAC = "02:00:00:00:02:01";
    static final String GATEWAY_MAC = "02:00:00:00:02:fe";

    private void installClusterIp(LabAddresses net, Map<Integer, BackendValue> backends, int[] table) {
        TestServices.install(lab.maps(), 2, 0, 0, backends, table,
                List.of(new FrontendKey(net.clusterIp, 80, TCP), new FrontendKey(net.clusterIp, 53, UDP)),
                FrontendValue.CLUSTER_IP);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void clusterIpFromAPodIsTranslatedToTheBackendWithoutSnat(LabAddresses net) {
        installClusterIp(net, Map.of(11, new BackendValue(net.remotePod1, 8080, 0)), TestServices.table(11));
        byte[] syn = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod2, net.clusterIp, 64, 33000, 80)
                .flags(TcpFlag.SYN).seq(7).payload(new byte[0]).build();
        TestRunResult result = lab.tc(syn);
        assertThat(result.returnValue()).isEqualTo(TC_ACT_OK);
        FieldDiff.assertSameFrame(net.tcp(POD_MAC, GATEWAY_MAC, net.localPod2, net.remotePod1, 64, 33000, 8080)
                .flags(TcpFlag.SYN).seq(7).payload(new byte[0]), result.dataOut());
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void udpToAClusterIpKeepsValidChecksums(LabAddresses net) {
        installClusterIp(net, Map.of(11, new BackendValue(net.remotePod1, 5353, 0)), TestServices.table(11));
        byte[] query = net.udp(POD_MAC, GATEWAY_MAC, net.localPod2, net.clusterIp, 64, 33001, 53)
                .payload("query".getBytes()).build();
        TestRunResult result = lab.tc(query);
        assertThat(result.returnValue()).isEqualTo(TC_ACT_OK);
        FieldDiff.assertSameFrame(net.udp(POD_MAC, GATEWAY_MAC, net.localPod2, net.remotePod1, 64, 33001, 5353)
                .payload("query".getBytes()), result.dataOut());
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aLocalBackendsReplyToAnExternalClientLeavesFromTheServiceAddress(LabAddresses net) {
        TestServices.install(lab.maps(), 1, 0, 0, Map.of(21, new BackendValue(net.localPod1, 8080, BackendValue.F_LOCAL)),
                TestServices.table(21), List.of(new FrontendKey(net.node, 30080, TCP)), FrontendValue.NODE_PORT);
        lab.xdp(net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 40000, 30080).flags(TcpFlag.SYN).seq(1).build());

        byte[] synAck = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod1, net.client, 64, 8080, 40000)
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(9).ack(2).payload(new byte[0]).build();
        TestRunResult result = lab.tc(synAck);
        assertThat(result.returnValue()).isEqualTo(TC_ACT_REDIRECT);
        FieldDiff.assertSameFrame(net.tcp(POD_MAC, GATEWAY_MAC, net.node, net.client, 63, 30080, 40000)
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(9).ack(2).payload(new byte[0]), result.dataOut());
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aPodReachingItselfThroughItsServiceIsSnatedToTheNode(LabAddresses net) {
        installClusterIp(net, Map.of(21, new BackendValue(net.localPod1, 8080, BackendValue.F_LOCAL)), TestServices.table(21));
        byte[] syn = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod1, net.clusterIp, 64, 34000, 80)
                .flags(TcpFlag.SYN).seq(1).payload(new byte[0]).build();
        TestRunResult out = lab.tc(syn);
        assertThat(out.returnValue()).isEqualTo(TC_ACT_REDIRECT);
        ConntrackValue entry = lab.maps().conntrack(net.v4() ? 4 : 6)
                .lookup(new Tuple(net.localPod1, net.clusterIp, 34000, 80, TCP)).orElseThrow();
        assertThat(entry.flags() & ConntrackValue.F_SNAT).isNotZero();
        FieldDiff.assertSameFrame(net.tcp(POD_MAC, GATEWAY_MAC, net.node, net.localPod1, 63, entry.natSourcePort(), 8080)
                .flags(TcpFlag.SYN).seq(1).payload(new byte[0]), out.dataOut());

        // The pod answers the node address; the reply is turned back into service -> pod.
        byte[] reply = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod1, net.node, 64, 8080, entry.natSourcePort())
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(5).ack(2).payload(new byte[0]).build();
        TestRunResult back = lab.tc(reply);
        assertThat(back.returnValue()).isEqualTo(TC_ACT_REDIRECT);
        FieldDiff.assertSameFrame(net.tcp(POD_MAC, GATEWAY_MAC, net.clusterIp, net.localPod1, 63, 80, 34000)
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(5).ack(2).payload(new byte[0]), back.dataOut());
    }

    /** --masquerade, with the networks of these addresses inside the cluster. */
    private void masqueradeOn(LabAddresses net, InetAddress... inside) {
        lab.maps().config().put(0, new DatapathConfig(DatapathLab.HASH_SEED, DatapathLab.SNAT_PORT_MIN,
                DatapathLab.SNAT_PORT_MAX, DatapathLab.NODE4, DatapathLab.NODE6, DatapathConfig.F_MASQUERADE));
        for (InetAddress address : inside) {
            lab.maps().masqueradeExempt().put(new MasqueradeExemptKey(address, net.v4() ? 24 : 64), (byte) 1);
        }
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void podTrafficLeavingTheClusterIsMasqueradedAndItsRepliesComeBack(LabAddresses net) {
        // Pods, services and the remote pod network are inside the cluster; the client is not.
        masqueradeOn(net, net.localPod1, net.remotePod1, net.clusterIp);
        byte[] toInside = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod2, net.remotePod1, 64, 33000, 443)
                .flags(TcpFlag.SYN).build();
        TestRunResult inside = lab.tc(toInside);
        assertThat(inside.dataOut()).as("pod to pod keeps its address").isEqualTo(toInside);

        byte[] syn = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod2, net.client, 64, 33000, 443)
                .flags(TcpFlag.SYN).seq(3).payload(new byte[0]).build();
        TestRunResult out = lab.tc(syn);
        assertThat(out.returnValue()).isEqualTo(TC_ACT_REDIRECT);
        ConntrackValue entry = lab.maps().conntrack(net.v4() ? 4 : 6)
                .lookup(new Tuple(net.localPod2, net.client, 33000, 443, TCP)).orElseThrow();
        assertThat(entry.serviceId()).isZero();
        FieldDiff.assertSameFrame(net.tcp(POD_MAC, GATEWAY_MAC, net.node, net.client, 63, entry.natSourcePort(), 443)
                .flags(TcpFlag.SYN).seq(3).payload(new byte[0]), out.dataOut());

        // The reply leaves eth0's XDP untouched (its next hop is the pod's veth) for tc to finish.
        byte[] synAck = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 443, entry.natSourcePort())
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(8).ack(4).payload(new byte[0]).build();
        TestRunResult passed = lab.xdp(synAck);
        assertThat(passed.returnValue()).isEqualTo(XdpNodeServiceTest.XDP_PASS);
        assertThat(passed.dataOut()).isEqualTo(synAck);
        TestRunResult back = lab.tcNode(synAck);
        assertThat(back.returnValue()).as("up the stack towards the pod's veth").isEqualTo(TC_ACT_OK);
        FieldDiff.assertSameFrame(net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.localPod2, 64, 443, 33000)
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(8).ack(4).payload(new byte[0]), back.dataOut());
    }

    /** With --masquerade, a connection from outside to a pod is answered from the pod's own address. */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aPodAnswersAnExternalClientFromItsOwnAddressWithMasqueradeOn(LabAddresses net) {
        masqueradeOn(net, net.localPod1);

        byte[] syn = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.localPod1, 64, 41000, 8080)
                .flags(TcpFlag.SYN).seq(3).payload(new byte[0]).build();
        TestRunResult in = lab.xdp(syn);
        assertThat(in.returnValue()).isEqualTo(XdpNodeServiceTest.XDP_PASS);
        assertThat(in.dataOut()).isEqualTo(syn);
        assertThat(lab.tcNode(syn).dataOut()).isEqualTo(syn);

        byte[] synAck = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod1, net.client, 64, 8080, 41000)
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(8).ack(4).payload(new byte[0]).build();
        TestRunResult out = lab.tc(synAck);
        assertThat(out.returnValue()).as("a reply, not a new flow to masquerade").isEqualTo(TC_ACT_OK);
        assertThat(out.dataOut()).isEqualTo(synAck);
        byte[] data = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod1, net.client, 64, 8080, 41000)
                .flags(TcpFlag.ACK, TcpFlag.PSH).seq(9).ack(4).payload(new byte[700]).build();
        assertThat(lab.tc(data).dataOut()).isEqualTo(data);

        // A stray segment from outside creates no state, and the pod's own new flows are still masqueraded.
        byte[] stray = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.localPod1, 64, 41001, 8080)
                .flags(TcpFlag.ACK).seq(3).payload(new byte[0]).build();
        lab.xdp(stray);
        assertThat(lab.maps().conntrack(net.v4() ? 4 : 6).lookup(new Tuple(net.client, net.localPod1, 41001, 8080, TCP)))
                .isEmpty();
        byte[] outbound = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod1, net.client, 64, 8081, 443)
                .flags(TcpFlag.SYN).seq(1).payload(new byte[0]).build();
        assertThat(lab.tc(outbound).returnValue()).isEqualTo(TC_ACT_REDIRECT);
    }

    /**
     * A pod's segment on a connection sluice holds no state for (an inbound one older than the agent,
     * say) leaves with the pod's address and creates no mapping: masquerading it mid-stream would
     * hide the pod from its client for good.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aPodsSegmentWithoutAConnectionIsNotMasqueraded(LabAddresses net) {
        masqueradeOn(net, net.localPod1);

        for (TcpFlag[] flags : List.of(new TcpFlag[] {TcpFlag.ACK, TcpFlag.PSH}, new TcpFlag[] {TcpFlag.SYN, TcpFlag.ACK},
                new TcpFlag[] {TcpFlag.FIN, TcpFlag.ACK}, new TcpFlag[] {TcpFlag.RST})) {
            byte[] segment = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod1, net.client, 64, 8080, 41000)
                    .flags(flags).seq(9).ack(4).payload(new byte[700]).build();
            TestRunResult out = lab.tc(segment);
            assertThat(out.returnValue()).as("%s", List.of(flags)).isEqualTo(TC_ACT_OK);
            assertThat(out.dataOut()).as("%s", List.of(flags)).isEqualTo(segment);
        }
        assertThat(lab.maps().conntrack(net.v4() ? 4 : 6).lookup(new Tuple(net.localPod1, net.client, 8080, 41000, TCP)))
                .isEmpty();
    }

    /**
     * A pod's UDP flow the kernel masqueraded before sluice took over (a CNI's MASQUERADE rule) keeps
     * the kernel's translation: its datagrams pass untouched and sluice tracks nothing; a flow the
     * kernel does not know is masqueraded by sluice.
     */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aPodsUdpFlowTheKernelMasqueradedIsLeftToTheKernel(LabAddresses net) {
        masqueradeOn(net, net.localPod1);
        lab.exec("conntrack", "-I", "-p", "udp", "--timeout", "600",
                "-s", net.localPod1.getHostAddress(), "-d", net.client.getHostAddress(), "--sport", "5300", "--dport", "53",
                "-r", net.client.getHostAddress(), "-q", net.node.getHostAddress(),
                "--reply-port-src", "53", "--reply-port-dst", "45300");
        byte[] kernels = net.udp(POD_MAC, GATEWAY_MAC, net.localPod1, net.client, 64, 5300, 53).payload(new byte[40]).build();
        TestRunResult out = lab.tc(kernels);
        assertThat(out.returnValue()).isEqualTo(TC_ACT_OK);
        assertThat(out.dataOut()).isEqualTo(kernels);
        assertThat(lab.maps().conntrack(net.v4() ? 4 : 6).lookup(new Tuple(net.localPod1, net.client, 5300, 53, UDP)))
                .isEmpty();

        byte[] sluices = net.udp(POD_MAC, GATEWAY_MAC, net.localPod1, net.client, 64, 5301, 53).payload(new byte[40]).build();
        assertThat(lab.tc(sluices).returnValue()).isEqualTo(TC_ACT_REDIRECT);
        assertThat(lab.maps().conntrack(net.v4() ? 4 : 6).lookup(new Tuple(net.localPod1, net.client, 5301, 53, UDP)))
                .isPresent();
    }

    /** XDP passes a NodePort connection translated to its local backend; tc_node then sees it as inbound. */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aServiceConnectionXdpTranslatedIsNoInboundConnectionForTcWithMasqueradeOn(LabAddresses net) {
        masqueradeOn(net, net.localPod1);
        TestServices.install(lab.maps(), 1, 0, 0, Map.of(21, new BackendValue(net.localPod1, 8080, BackendValue.F_LOCAL)),
                TestServices.table(21), List.of(new FrontendKey(net.node, 30080, TCP)), FrontendValue.NODE_PORT);

        TestRunResult translated = lab.xdp(net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 40000, 30080)
                .flags(TcpFlag.SYN).seq(1).payload(new byte[0]).build());
        TestRunResult tc = lab.tcNode(translated.dataOut());
        assertThat(tc.returnValue()).isEqualTo(TC_ACT_OK);
        assertThat(tc.dataOut()).isEqualTo(translated.dataOut());
        assertThat(lab.drops(DropReason.CONNTRACK_FULL)).isZero();
    }

    /** A reply tc cannot route (no route at all: the FIB does not forward it) is dropped, and counted: no silent drop. */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aReplyWithoutARouteIsCountedAsNotForwarded(LabAddresses net) {
        InetAddress unroutable = DatapathLab.address(net.v4() ? "198.18.50.1" : "2001:db8:50::1");
        TestServices.install(lab.maps(), 1, 0, 0, Map.of(21, new BackendValue(net.localPod1, 8080, BackendValue.F_LOCAL)),
                TestServices.table(21), List.of(new FrontendKey(net.node, 30080, TCP)), FrontendValue.NODE_PORT);
        lab.xdp(net.tcp(CLIENT_MAC, NODE_MAC, unroutable, net.node, 64, 40000, 30080).flags(TcpFlag.SYN).seq(1).build());

        TestRunResult reply = lab.tc(net.tcp(POD_MAC, GATEWAY_MAC, net.localPod1, unroutable, 64, 8080, 40000)
                .flags(TcpFlag.SYN, TcpFlag.ACK).seq(9).ack(2).payload(new byte[0]).build());
        assertThat(reply.returnValue()).isEqualTo(TC_ACT_SHOT);
        assertThat(lab.drops(DropReason.FIB_NOT_FORWARDED)).isEqualTo(1);
    }

    /** kube-proxy REJECTs: a pod connecting to a service without endpoints is refused at once. */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aClusterIpWithoutBackendsRefusesTcpWithAReset(LabAddresses net) {
        installClusterIp(net, Map.of(), TestServices.table());
        byte[] syn = net.tcp(POD_MAC, GATEWAY_MAC, net.localPod2, net.clusterIp, 64, 33000, 80)
                .flags(TcpFlag.SYN).seq(41).payload(new byte[0]).build();
        TestRunResult result = lab.tc(syn);
        assertThat(result.returnValue()).as("sent back out the pod's veth").isEqualTo(TC_ACT_REDIRECT);
        EthernetBuilder back = Frames.ethernet(GATEWAY_MAC, POD_MAC);
        TcpBuilder reset = net.v4()
                ? back.ipv4(net.clusterIp, net.localPod2).ttl(64).id(0).dontFragment().tcp(80, 33000)
                : back.ipv6(net.clusterIp, net.localPod2).hopLimit(64).tcp(80, 33000);
        FieldDiff.assertSameFrame(reset.flags(TcpFlag.RST, TcpFlag.ACK).seq(0).ack(42).window(0).payload(new byte[0]),
                result.dataOut());
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aClusterIpWithoutBackendsRefusesUdpWithPortUnreachable(LabAddresses net) {
        installClusterIp(net, Map.of(), TestServices.table());
        byte[] query = net.udp(POD_MAC, GATEWAY_MAC, net.localPod2, net.clusterIp, 64, 33001, 53)
                .payload("a query longer than the quote".getBytes()).build();
        TestRunResult result = lab.tc(query);
        assertThat(result.returnValue()).isEqualTo(TC_ACT_REDIRECT);
        byte[] invoking = Frames.l3(query);
        EthernetBuilder back = Frames.ethernet(GATEWAY_MAC, POD_MAC);
        PacketBuilder unreachable = net.v4()
                ? back.ipv4(net.clusterIp, net.localPod2).ttl(64).id(0).dontFragment()
                        .icmp(Icmp.DESTINATION_UNREACHABLE, Icmp.CODE_PORT_UNREACHABLE)
                        .body(Arrays.copyOf(invoking, 20 + 8))
                : back.ipv6(net.clusterIp, net.localPod2).hopLimit(64)
                        .icmpv6(Icmp.V6_DESTINATION_UNREACHABLE, 4).body(Arrays.copyOf(invoking, 40 + 8));
        FieldDiff.assertSameFrame(unreachable, result.dataOut());
    }
}
