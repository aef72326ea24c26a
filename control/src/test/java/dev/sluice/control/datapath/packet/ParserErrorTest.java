package dev.sluice.control.datapath.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Malformed input is described precisely, and what could be decoded is still there. */
class ParserErrorTest {

    private static final EthernetBuilder ETH = Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02");
    private static final byte[] TCP_FRAME = ETH.ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).payload(new byte[10]).build();

    @Test
    void truncatedEthernetHeader() {
        ParseResult result = ParsedFrame.tryParse(new byte[10]);

        assertThat(result.error()).isEqualTo("truncated ethernet header: needs 14 bytes at offset 0, only 10 present");
        assertThat(result.frame().ethernet()).isNull();
    }

    @Test
    void truncatedIpv4HeaderKeepsTheEthernetLayer() {
        ParseResult result = ParsedFrame.tryParse(Arrays.copyOf(TCP_FRAME, 30));

        assertThat(result.error()).isEqualTo("truncated ipv4 header: needs 20 bytes at offset 14, only 16 present");
        assertThat(result.frame().ethernet().etherType()).isEqualTo(EtherType.IPV4);
    }

    @Test
    void truncatedTransportReportsTheIpLengthMismatchFirst() {
        ParseResult result = ParsedFrame.tryParse(Arrays.copyOf(TCP_FRAME, 40));

        assertThat(result.error())
                .isEqualTo("truncated packet: ipv4.totalLength says 50 bytes from offset 14, only 26 present");
        assertThat(result.frame().ipv4().dst()).isEqualTo(Addresses.ipv4("10.0.0.2"));
    }

    @Test
    void strictParseThrowsWithTheProblemAndAHexDump() {
        assertThatThrownBy(() -> ParsedFrame.parse(Arrays.copyOf(TCP_FRAME, 40)))
                .isInstanceOf(PacketParseException.class)
                .hasMessageContaining("ipv4.totalLength says 50 bytes")
                .hasMessageContaining("0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00");
    }

    @Test
    void badIhlIsNamed() {
        ParseResult low = ParsedFrame.tryParse(ETH.ipv4("10.0.0.1", "10.0.0.2").ihl(3).payload(new byte[8]).build());
        ParseResult high = ParsedFrame.tryParse(ETH.ipv4("10.0.0.1", "10.0.0.2").ihl(15).payload(new byte[8]).build());

        assertThat(low.error()).isEqualTo("ipv4.ihl is 3 at offset 14: a header has at least 5 words");
        assertThat(low.frame().ipv4().ihl()).isEqualTo(3);
        assertThat(high.error())
                .isEqualTo("truncated ipv4 options: ihl 15 means 60 header bytes at offset 14, only 28 present");
    }

    @Test
    void wrongVersionAndShortTotalLength() {
        byte[] v6InV4 = ETH.etherType(EtherType.IPV4).payload(Frames.ipv6("fd00::1", "fd00::2").build()).build();
        byte[] shortTotal = ETH.ipv4("10.0.0.1", "10.0.0.2").totalLength(12).build();

        assertThat(ParsedFrame.tryParse(v6InV4).error()).isEqualTo("ipv4.version is 6 at offset 14, expected 4");
        assertThat(ParsedFrame.tryParse(shortTotal).error())
                .isEqualTo("ipv4.totalLength 12 is less than the header length 20");
    }

    @Test
    void badTcpDataOffsetAndTruncatedOptions() {
        ParseResult low = ParsedFrame.tryParse(ETH.ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).dataOffset(4).build());
        ParseResult high = ParsedFrame.tryParse(ETH.ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).dataOffset(8).build());

        assertThat(low.error()).isEqualTo("tcp.dataOffset is 4 at offset 34: a header has at least 5 words");
        assertThat(low.frame().tcp().srcPort()).isEqualTo(1);
        assertThat(high.error()).isEqualTo("truncated tcp options (dataOffset 8): needs 32 bytes at offset 34, only 20 present");
    }

    @Test
    void truncatedIpv6ExtensionHeader() {
        byte[] packet = Frames.ipv6("fd00::1", "fd00::2").hopByHop(new byte[10]).udp(1, 2).build();
        byte[] cut = Arrays.copyOf(packet, 50);
        Wire.put16(cut, 4, 10); // keep the payload length consistent so the extension itself is short

        ParseResult result = ParsedFrame.tryParseIp(cut);

        assertThat(result.error()).isEqualTo("truncated ipv6 extension header 0: needs 16 bytes at offset 40, only 10 present");
        assertThat(result.frame().ipv6().nextHeader()).isEqualTo(IpProtocol.HOP_BY_HOP);
    }

    @Test
    void bytesBeyondTheIpLengthAreTheTrailer() {
        byte[] padded = Arrays.copyOf(ETH.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build(), 60);

        ParsedFrame frame = ParsedFrame.parse(padded);

        assertThat(frame.trailer()).isEqualTo(Octets.of(new byte[60 - 42]));
        assertThat(frame.l4ChecksumValid()).isTrue();
    }

    @Test
    void laterFragmentsAndUnknownProtocolsKeepTheirBytesUndecoded() {
        ParsedFrame fragment = ETH.ipv4("10.0.0.1", "10.0.0.2").fragmentOffset(185).udp(1, 2).parse();
        ParsedFrame v6Fragment = Frames.ipv6("fd00::1", "fd00::2").fragment(185, true, 7).udp(1, 2).parse();
        ParsedFrame arp = ParsedFrame.parse(ETH.etherType(EtherType.ARP).payload(new byte[28]).build());

        assertThat(fragment.udp()).isNull();
        assertThat(fragment.payload().length()).isEqualTo(8);
        assertThat(fragment.srcPort()).as("not a transport header").isEmpty();
        assertThat(v6Fragment.udp()).isNull();
        assertThat(v6Fragment.ipv6().extensions()).containsExactly(
                new Ipv6Extension.Fragment(IpProtocol.UDP, 185, true, 7));
        assertThat(arp.ipv4()).isNull();
        assertThat(arp.payload().length()).isEqualTo(28);
    }

    @Test
    void garbageNeverEscapesTryParse() {
        var random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 5000; i++) {
            byte[] junk = new byte[random.nextInt(120)];
            random.nextBytes(junk);
            if (junk.length > 14 && random.nextBoolean()) {
                Wire.put16(junk, 12, random.nextBoolean() ? EtherType.IPV4 : EtherType.IPV6);
            }
            ParseResult result = ParsedFrame.tryParse(junk);
            assertThat(result.frame().bytes()).isEqualTo(junk);
        }
    }
}
