package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.CLIENT_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_B_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_MAC;
import static dev.sluice.control.datapath.TestServices.TCP;
import static dev.sluice.control.datapath.TestServices.UDP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.packet.FieldDiff;
import dev.sluice.control.datapath.packet.Frames;
import dev.sluice.control.datapath.packet.TcpFlag;
import dev.sluice.ffm.TestRunResult;
import dev.sluice.ffm.testing.KernelTest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Frames to a service that are not well formed are never rewritten; odd but valid ones are, correctly. */
@KernelTest
class MalformedInputTest extends SharedLabTest {
    @BeforeEach
    void installServices() {
        for (LabAddresses net : LabAddresses.values()) {
            int id = net.v4() ? 1 : 2;
            TestServices.install(lab.maps(), id, 0, 0, Map.of(id * 10, new BackendValue(net.remotePod1, 8080, 0)),
                    TestServices.table(id * 10), List.of(new FrontendKey(net.node, 30080, TCP),
                            new FrontendKey(net.node, 30080, UDP), new FrontendKey(net.node, 30080, 132)),
                    FrontendValue.NODE_PORT);
        }
    }

    private void assertUntouched(byte[] frame) {
        TestRunResult result = lab.xdp(frame);
        assertThat(result.returnValue()).isEqualTo(XdpNodeServiceTest.XDP_PASS);
        assertThat(result.dataOut()).isEqualTo(frame);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void truncatedHeadersAreLeftAlone(LabAddresses net) {
        byte[] syn = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 40000, 30080).flags(TcpFlag.SYN).build();
        int l4 = net.v4() ? 34 : 54;
        for (int cut : new int[] {14, 20, l4 - 1, l4 + 3, l4 + 19}) {
            assertUntouched(Arrays.copyOf(syn, cut));
        }
    }

    @Test
    void aBadIhlIsLeftAlone() {
        LabAddresses net = LabAddresses.IPV4;
        for (int ihl : new int[] {0, 4, 15}) {
            assertUntouched(Frames.ethernet(CLIENT_MAC, NODE_MAC).ipv4(net.client, net.node).ihl(ihl)
                    .tcp(40000, 30080).flags(TcpFlag.SYN).build());
        }
    }

    @Test
    void ipv4OptionsAreCarriedThroughTranslation() {
        LabAddresses net = LabAddresses.IPV4;
        byte[] routerAlert = {(byte) 0x94, 0x04, 0x00, 0x00};
        byte[] syn = Frames.ethernet(CLIENT_MAC, NODE_MAC).ipv4(net.client, net.node).ttl(64).id(9).options(routerAlert)
                .tcp(40000, 30080).flags(TcpFlag.SYN).seq(1).payload(new byte[0]).build();
        TestRunResult result = lab.xdp(syn);
        int snatPort = lab.maps().conntrack(4).lookup(new Tuple(net.client, net.node, 40000, 30080, TCP))
                .orElseThrow().natSourcePort();
        assertThat(result.returnValue()).isEqualTo(XdpNodeServiceTest.XDP_TX);
        FieldDiff.assertSameFrame(Frames.ethernet(NODE_MAC, NODE_B_MAC).ipv4(net.node, net.remotePod1).ttl(63).id(9)
                .options(routerAlert).tcp(snatPort, 8080).flags(TcpFlag.SYN).seq(1).payload(new byte[0]), result.dataOut());
    }

    /** Its ports are in the first fragment, not seen yet (FragmentTranslationTest has the rest). */
    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void aLaterFragmentThatOvertookItsFirstIsLeftAlone(LabAddresses net) {
        byte[] later = net.v4()
                ? Frames.ethernet(CLIENT_MAC, NODE_MAC).ipv4(net.client, net.node).fragmentOffset(4)
                        .payload(new byte[24]).protocol(17).build()
                : Frames.ethernet(CLIENT_MAC, NODE_MAC).ipv6(net.client, net.node).fragment(4, false, 77)
                        .nextHeader(17).payload(new byte[24]).build();
        assertUntouched(later);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void emptyPayloadsAreTranslated(LabAddresses net) {
        byte[] empty = net.udp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 40000, 30080).payload(new byte[0]).build();
        TestRunResult result = lab.xdp(empty);
        assertThat(result.returnValue()).isEqualTo(XdpNodeServiceTest.XDP_TX);
        assertThat(dev.sluice.control.datapath.packet.ParsedFrame.parse(result.dataOut()).l4ChecksumValid()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void protocolsTheDatapathDoesNotTranslateAreLeftAlone(LabAddresses net) {
        // SCTP to a port that has an SCTP frontend: the datapath cannot fix SCTP's CRC32c incrementally.
        byte[] sctp = net.v4()
                ? Frames.ethernet(CLIENT_MAC, NODE_MAC).ipv4(net.client, net.node).protocol(132).payload(new byte[28]).build()
                : Frames.ethernet(CLIENT_MAC, NODE_MAC).ipv6(net.client, net.node).nextHeader(132).payload(new byte[28]).build();
        assertUntouched(sctp);
        byte[] gre = net.v4()
                ? Frames.ethernet(CLIENT_MAC, NODE_MAC).ipv4(net.client, net.node).protocol(47).payload(new byte[8]).build()
                : Frames.ethernet(CLIENT_MAC, NODE_MAC).ipv6(net.client, net.node).nextHeader(47).payload(new byte[8]).build();
        assertUntouched(gre);
    }

    @Test
    void aZeroUdpChecksumOverIpv4StaysZero() {
        LabAddresses net = LabAddresses.IPV4;
        byte[] datagram = net.udp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 40000, 30080).zeroChecksum()
                .payload("no checksum".getBytes()).build();
        TestRunResult result = lab.xdp(datagram);
        assertThat(result.returnValue()).isEqualTo(XdpNodeServiceTest.XDP_TX);
        var out = dev.sluice.control.datapath.packet.ParsedFrame.parse(result.dataOut());
        assertThat(out.udp().checksum()).isZero();
        assertThat(out.dst()).isEqualTo(net.remotePod1);
        assertThat(out.ipv4HeaderChecksumValid()).isTrue();
    }

    @Test
    void vlanTaggedFramesAreLeftAlone() {
        LabAddresses net = LabAddresses.IPV4;
        assertUntouched(Frames.ethernet(CLIENT_MAC, NODE_MAC).vlan(10).ipv4(net.client, net.node)
                .tcp(40000, 30080).flags(TcpFlag.SYN).build());
    }

    static final String UNUSED = NODE_B_MAC;
}
