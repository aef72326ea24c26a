package dev.sluice.control.datapath.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every single-bit error a checksum covers must be detected; that is the point of the verifier. */
class CorruptionDetectionTest {

    private static final byte[] DATA = {0x10, 0x20, 0x30, 0x40, 0x50};

    static Stream<Arguments> frames() {
        EthernetBuilder eth = Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02");
        return Stream.of(
                Arguments.of("ipv4 tcp", eth.ipv4("10.0.0.1", "10.0.0.2").options(new byte[] {1, 1, 1, 0})
                        .tcp(1000, 2000).flags(TcpFlag.SYN).options(new byte[] {2, 4, 5, (byte) 0xb4}).payload(DATA)),
                Arguments.of("ipv4 udp", eth.ipv4("10.0.0.1", "10.0.0.2").udp(1000, 53).payload(DATA)),
                Arguments.of("ipv4 icmp", eth.ipv4("10.0.0.1", "10.0.0.2").icmpEchoRequest(1, 2).body(DATA)),
                Arguments.of("ipv6 tcp", eth.ipv6("fd00::1", "fd00::2").tcp(1000, 2000).payload(DATA)),
                Arguments.of("ipv6 hbh udp", eth.ipv6("fd00::1", "fd00::2").hopByHop(new byte[0]).udp(1000, 53).payload(DATA)),
                Arguments.of("ipv6 icmpv6", eth.ipv6("fd00::1", "fd00::2").icmpv6EchoRequest(1, 2).body(DATA)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void everySingleBitFlipIsRejected(String name, PacketBuilder builder) {
        byte[] good = builder.build();
        ParsedFrame original = ParsedFrame.parse(good);
        assertThat(original.l4ChecksumValid()).isTrue();
        int l3 = original.layout().l3Offset();
        int l4 = original.layout().l4Offset();
        int ipv4HeaderEnd = original.ipv4() == null ? l3 : l4;

        for (int bit = l3 * 8; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            int at = bit / 8;
            if (original.ipv6() != null && (at < l3 + 4 || at == l3 + 7 || (at >= l3 + 40 && at < l4))) {
                // Version, traffic class, flow label, hop limit and extension headers: IPv6 has no header
                // checksum and the pseudo-header leaves them out.
                continue;
            }
            ParseResult result = ParsedFrame.tryParse(bad);
            if (!result.ok() || result.frame().isFragment()) {
                continue; // rejected for another reason, which is what a datapath should do too
            }
            ParsedFrame frame = result.frame();
            boolean headerOk = frame.ipv4() == null || frame.ipv4HeaderChecksumValid();
            boolean transportOk = hasTransport(frame) && frame.l4ChecksumValid();
            if (at < ipv4HeaderEnd) {
                assertThat(headerOk).as("%s: bit %d in the ipv4 header", name, bit).isFalse();
            } else {
                assertThat(transportOk).as("%s: bit %d at byte %d (%s)", name, bit, at, frame.summary()).isFalse();
            }
        }
    }

    @Test
    void addressBitsAreCoveredByThePseudoHeader() {
        byte[] good = Frames.ipv6("fd00::1", "fd00::2").udp(1, 2).payload(DATA).build();
        byte[] bad = good.clone();
        bad[39] ^= 0x04; // last byte of the destination address

        assertThat(ParsedFrame.parseIp(bad).l4ChecksumValid()).isFalse();
    }

    @Test
    void udpZeroChecksumMeansNoneOverIpv4Only() {
        ParsedFrame v4 = Frames.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).zeroChecksum().payload(DATA).parse();
        ParsedFrame v6 = Frames.ipv6("fd00::1", "fd00::2").udp(1, 2).zeroChecksum().payload(DATA).parse();

        assertThat(v4.udp().checksum()).isZero();
        assertThat(v4.l4ChecksumValid()).isTrue();
        assertThat(v6.udp().checksum()).isZero();
        assertThat(v6.l4ChecksumValid()).as("RFC 8200 forbids a zero UDP checksum").isFalse();
    }

    @Test
    void computedZeroUdpChecksumIsSentAsAllOnes() {
        UdpBuilder base = Frames.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2);
        // With a zero payload word the checksum is c; a payload word equal to c makes the sum 0xffff,
        // i.e. a computed checksum of zero, which UDP must transmit as 0xffff.
        int c = base.payload(new byte[2]).parse().udp().checksum();
        ParsedFrame frame = base.payload(new byte[] {(byte) (c >>> 8), (byte) c}).parse();

        assertThat(frame.udp().checksum()).isEqualTo(0xffff);
        assertThat(frame.expectedL4Checksum()).isEqualTo(0xffff);
        assertThat(frame.l4ChecksumValid()).isTrue();
    }

    @Test
    void explicitBadChecksumsAreStoredAndReported() {
        ParsedFrame frame = Frames.ipv4("10.0.0.1", "10.0.0.2").checksum(0x1234).tcp(1, 2).checksum(0xabcd).parse();

        assertThat(frame.ipv4().checksum()).isEqualTo(0x1234);
        assertThat(frame.ipv4HeaderChecksumValid()).isFalse();
        assertThat(frame.expectedIpv4HeaderChecksum()).isNotEqualTo(0x1234);
        assertThat(frame.tcp().checksum()).isEqualTo(0xabcd);
        assertThat(frame.l4ChecksumValid()).isFalse();
    }

    @Test
    void questionsWithoutAnAnswerThrowInsteadOfReturningFalse() {
        ParsedFrame fragment = Frames.ipv4("10.0.0.1", "10.0.0.2").moreFragments().udp(1, 2).payload(DATA).parse();
        ParsedFrame v6 = Frames.ipv6("fd00::1", "fd00::2").udp(1, 2).parse();
        ParsedFrame raw = Frames.ipv4("10.0.0.1", "10.0.0.2").protocol(IpProtocol.GRE).payload(DATA).parse();

        assertThatThrownBy(fragment::l4ChecksumValid).hasMessageContaining("fragment");
        assertThatThrownBy(v6::ipv4HeaderChecksumValid).hasMessageContaining("no ipv4 header");
        assertThatThrownBy(raw::l4ChecksumValid).hasMessageContaining("no decoded transport header");
        assertThatThrownBy(raw::innerChecksumsValid).hasMessageContaining("not an ICMP error");
        ParsedFrame badIhl = ParsedFrame.tryParseIp(Frames.ipv4("10.0.0.1", "10.0.0.2").ihl(15).build()).frame();
        assertThatThrownBy(badIhl::ipv4HeaderChecksumValid).hasMessageContaining("cut short (ihl 15)");
    }

    private static boolean hasTransport(ParsedFrame frame) {
        return frame.tcp() != null || frame.udp() != null || frame.icmp() != null || frame.icmpv6() != null;
    }
}
