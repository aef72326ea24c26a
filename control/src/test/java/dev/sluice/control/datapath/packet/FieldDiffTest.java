package dev.sluice.control.datapath.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FieldDiffTest {

    private static final Ipv4Builder CLIENT_TO_SERVICE = Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
            .ipv4("10.244.2.7", "10.96.0.10");

    @Test
    void identicalFramesHaveNoDifferences() {
        TcpBuilder syn = CLIENT_TO_SERVICE.tcp(40000, 53).flags(TcpFlag.SYN);

        FieldDiff diff = FieldDiff.between(syn, syn.build());

        assertThat(diff.isEmpty()).isTrue();
        assertThat(diff).hasToString("no differences");
    }

    @Test
    void namesEachDifferingFieldWithReadableValues() {
        // What a DNAT test would see if the program forgot to rewrite the destination.
        TcpBuilder expected = CLIENT_TO_SERVICE.tcp(40000, 53).flags(TcpFlag.SYN);
        TcpBuilder actual = Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv4("10.244.2.7", "10.244.1.5").tcp(40000, 53).flags(TcpFlag.SYN, TcpFlag.ACK);

        FieldDiff diff = FieldDiff.between(expected.build(), actual.build());

        assertThat(diff.differences()).extracting(FieldDiff.Difference::field)
                .containsExactly("ipv4.checksum", "ipv4.dst", "tcp.flags", "tcp.checksum");
        assertThat(diff.toString())
                .contains("ipv4.dst: expected 10.96.0.10 got 10.244.1.5")
                .contains("tcp.flags: expected 0x02 (SYN) got 0x12 (SYN|ACK)")
                .containsPattern("tcp\\.checksum: expected 0x[0-9a-f]{4} got 0x[0-9a-f]{4}");
    }

    @Test
    void reportsMissingLayersAndParseErrors() {
        byte[] expected = CLIENT_TO_SERVICE.tcp(1, 2).build();
        byte[] udp = CLIENT_TO_SERVICE.udp(1, 2).build();
        byte[] truncated = Arrays.copyOf(expected, 30);

        assertThat(FieldDiff.between(expected, udp).toString())
                .contains("ipv4.protocol: expected 6 got 17")
                .contains("tcp: expected TcpHeader[")
                .contains("got absent")
                .contains("udp: expected absent got UdpHeader[");
        assertThat(FieldDiff.between(expected, truncated).differences().getFirst())
                .hasToString("parse: expected absent got truncated ipv4 header: needs 20 bytes at offset 14, only 16 present");
    }

    @Test
    void walksIntoExtensionHeadersAndQuotedPackets() {
        byte[] one = Frames.ipv6("fd00::1", "fd00::2").fragment(0, false, 1).udp(1, 2).build();
        byte[] two = Frames.ipv6("fd00::1", "fd00::2").fragment(0, false, 2).udp(1, 2).build();
        byte[] quotedA = Frames.ipv4("10.0.0.9", "10.0.0.1")
                .icmpFragmentationNeeded(1400, Frames.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build()).build();
        byte[] quotedB = Frames.ipv4("10.0.0.9", "10.0.0.1")
                .icmpFragmentationNeeded(1400, Frames.ipv4("10.0.0.1", "10.0.0.3").udp(1, 2).build()).build();

        assertThat(FieldDiff.between(Frames.ipv6("fd00::1", "fd00::2").fragment(0, false, 1).udp(1, 2), two).toString())
                .isEqualTo("ipv6.extensions[0].identification: expected 1 got 2");
        assertThat(one).isNotEqualTo(two);
        assertThat(FieldDiff.between(ParsedFrame.parseIp(quotedA), ParsedFrame.parseIp(quotedB)).toString())
                .contains("inner.ipv4.dst: expected 10.0.0.2 got 10.0.0.3")
                .contains("icmp.checksum");
    }

    @Test
    void aMissingQuoteIsSummarisedNotDumped() {
        byte[] error = Frames.ipv4("10.0.0.9", "10.0.0.1")
                .icmpDestinationUnreachable(3, Frames.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build()).build();
        byte[] echo = Frames.ipv4("10.0.0.9", "10.0.0.1").icmpEchoReply(1, 2).build();

        assertThat(FieldDiff.between(ParsedFrame.parseIp(error), ParsedFrame.parseIp(echo)).toString())
                .contains("inner: expected quoted packet [ipv4 10.0.0.1.1 > 10.0.0.2.2 udp len 0] got absent");
    }

    @Test
    void bytesNoRecordKeepsAreStillCompared() {
        byte[] expected = Frames.ipv6("fd00::1", "fd00::2").fragment(0, false, 1).udp(1, 2).build();
        byte[] actual = expected.clone();
        actual[41] = 0x55; // the fragment header's reserved byte, ignored by receivers

        assertThat(FieldDiff.between(ParsedFrame.parseIp(expected), ParsedFrame.parseIp(actual)).toString())
                .isEqualTo("bytes[41]: expected 0x00 got 0x55");
    }

    @Test
    void assertSameFrameFailsWithFieldsAndHexDumps() {
        TcpBuilder expected = CLIENT_TO_SERVICE.tcp(40000, 53);
        byte[] actual = CLIENT_TO_SERVICE.ttl(63).tcp(40000, 53).build();

        assertThatThrownBy(() -> FieldDiff.assertSameFrame(expected, actual))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ipv4.ttl: expected 64 got 63")
                .hasMessageContaining("expected:\n0000  02 00 00 00 00 02")
                .hasMessageContaining("actual:\n0000  02 00 00 00 00 02");
    }
}
