package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.CLIENT_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_B_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_MAC;
import static dev.sluice.control.datapath.TestServices.UDP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.packet.FieldDiff;
import dev.sluice.control.datapath.packet.Frames;
import dev.sluice.control.datapath.packet.Ipv4Builder;
import dev.sluice.ffm.TestRunResult;
import dev.sluice.ffm.testing.KernelTest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A UDP datagram larger than the MTU travels in fragments (a 4 KiB DNS answer does); every fragment
 * of a service's datagram is translated, the first with its ports and checksum, later ones by their
 * addresses, both ways.
 */
@KernelTest
class FragmentTranslationTest extends SharedLabTest {
    private static final int NODE_PORT = 30053;
    private static final int TARGET_PORT = 5353;
    private static final int CLIENT_PORT = 40053;
    /** Where the datagram is cut: a multiple of 8, as fragment offsets are, within the MTU. */
    private static final int FRAGMENT_BYTES = 1400;
    private static final int FRAGMENT_ID = 0x4321;

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void everyFragmentOfADatagramToAServiceIsTranslatedAndSoAreTheAnswersFragments(LabAddresses net) {
        TestServices.install(lab.maps(), 1, 0, 0, Map.of(11, new BackendValue(net.remotePod1, TARGET_PORT, 0)),
                TestServices.table(11), List.of(new FrontendKey(net.node, NODE_PORT, UDP)), FrontendValue.NODE_PORT);
        byte[] query = new byte[3000];
        new Random(53).nextBytes(query);

        List<TestRunResult> out = lab.xdpAll(fragments(net, CLIENT_MAC, NODE_MAC, net.client, net.node, 64,
                CLIENT_PORT, NODE_PORT, query));
        ConntrackValue entry = lab.maps().conntrack(net.v4() ? 4 : 6)
                .lookup(new Tuple(net.client, net.node, CLIENT_PORT, NODE_PORT, UDP)).orElseThrow();
        int snatPort = entry.natSourcePort();
        assertTranslated(out, fragments(net, NODE_MAC, NODE_B_MAC, net.node, net.remotePod1, 63, snatPort, TARGET_PORT, query));

        byte[] answer = new byte[4096];
        new Random(54).nextBytes(answer);
        List<TestRunResult> back = lab.xdpAll(fragments(net, NODE_B_MAC, NODE_MAC, net.remotePod1, net.node, 64,
                TARGET_PORT, snatPort, answer));
        assertTranslated(back, fragments(net, NODE_MAC, CLIENT_MAC, net.node, net.client, 63, NODE_PORT, CLIENT_PORT, answer));
    }

    private static void assertTranslated(List<TestRunResult> results, List<byte[]> expected) {
        assertThat(results).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(results.get(i).returnValue()).as("fragment %d", i).isEqualTo(XdpNodeServiceTest.XDP_TX);
            FieldDiff.assertSameFrame(expected.get(i), results.get(i).dataOut());
        }
    }

    /** The UDP datagram, built whole (so its checksum covers all of it), cut into fragments that fit the MTU. */
    private static List<byte[]> fragments(LabAddresses net, String srcMac, String dstMac, InetAddress src, InetAddress dst,
                                          int ttl, int sport, int dport, byte[] payload) {
        byte[] whole = Frames.l3(net.udp(srcMac, dstMac, src, dst, ttl, sport, dport).payload(payload).build());
        byte[] segment = Arrays.copyOfRange(whole, net.v4() ? 20 : 40, whole.length);
        List<byte[]> fragments = new ArrayList<>();
        for (int offset = 0; offset < segment.length; offset += FRAGMENT_BYTES) {
            byte[] piece = Arrays.copyOfRange(segment, offset, Math.min(segment.length, offset + FRAGMENT_BYTES));
            boolean more = offset + FRAGMENT_BYTES < segment.length;
            if (net.v4()) {
                Ipv4Builder ip = Frames.ethernet(srcMac, dstMac).ipv4(src, dst).ttl(ttl).id(FRAGMENT_ID)
                        .fragmentOffset(offset / 8).protocol(UDP);
                fragments.add((more ? ip.moreFragments() : ip).payload(piece).build());
            } else {
                fragments.add(Frames.ethernet(srcMac, dstMac).ipv6(src, dst).hopLimit(ttl).flowLabel(0xbeef)
                        .fragment(offset / 8, more, FRAGMENT_ID).nextHeader(UDP).payload(piece).build());
            }
        }
        return fragments;
    }
}
