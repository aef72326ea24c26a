package dev.sluice.control.datapath.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IcmpErrorTest {

    private static final TcpBuilder INVOKING_TCP = Frames.ipv4("10.244.1.5", "10.96.0.10").id(0x4242).dontFragment()
            .options(new byte[] {1, 1, 1, 1}) // four NOPs: the quote must follow the IHL, not assume 20
            .tcp(40000, 443).seq(0x01020304L).flags(TcpFlag.SYN).payload(new byte[1400]);

    @Test
    void fragmentationNeededQuotesHeaderWithOptionsAndEightBytes() {
        byte[] invoking = INVOKING_TCP.build();
        byte[] frame = Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv4("192.168.1.1", "10.244.1.5").ttl(255)
                .icmpFragmentationNeeded(1400, INVOKING_TCP)
                .build();

        ParsedFrame parsed = ParsedFrame.parse(frame);

        assertThat(parsed.icmp().type()).isEqualTo(Icmp.DESTINATION_UNREACHABLE);
        assertThat(parsed.icmp().code()).isEqualTo(Icmp.CODE_FRAGMENTATION_NEEDED);
        assertThat(parsed.icmp().nextHopMtu()).isEqualTo(1400);
        assertThat(parsed.payload().toArray()).isEqualTo(Arrays.copyOf(invoking, 24 + 8));
        assertThat(parsed.ipv4HeaderChecksumValid()).isTrue();
        assertThat(parsed.l4ChecksumValid()).isTrue();

        ParseResult inner = parsed.inner();
        assertThat(inner.error()).isNull();
        assertThat(inner.frame().ipv4()).isEqualTo(ParsedFrame.parseIp(invoking).ipv4());
        assertThat(inner.frame().ipv4().totalLength()).as("says what the original said").isEqualTo(invoking.length);
        assertThat(inner.frame().layout().clipped()).isTrue();
        assertThat(inner.frame().tcp()).as("8 bytes are not a TCP header").isNull();
        assertThat(inner.frame().srcPort()).hasValue(40000);
        assertThat(inner.frame().dstPort()).hasValue(443);
        assertThat(parsed.innerChecksumsValid()).isTrue();
    }

    @Test
    void corruptedQuotedHeaderIsCaughtByTheInnerCheckOnly() {
        byte[] invoking = INVOKING_TCP.buildIp();
        invoking[16] ^= 0x01; // destination address: the quoted header checksum no longer matches
        byte[] frame = Frames.ipv4("192.168.1.1", "10.244.1.5").icmpFragmentationNeeded(1400, invoking).build();

        ParsedFrame parsed = ParsedFrame.parseIp(frame);

        assertThat(parsed.l4ChecksumValid()).as("the ICMP checksum covers the quote as it is").isTrue();
        assertThat(parsed.innerChecksumsValid()).isFalse();
    }

    @Test
    void portUnreachableQuotingUdpDecodesTheWholeUdpHeader() {
        UdpBuilder dns = Frames.ipv4("10.244.1.5", "10.96.0.10").udp(33000, 53).payload(new byte[40]);
        byte[] frame = Frames.ipv4("10.96.0.10", "10.244.1.5")
                .icmpDestinationUnreachable(Icmp.CODE_PORT_UNREACHABLE, dns).build();

        ParsedFrame inner = ParsedFrame.parseIp(frame).inner().frame();

        assertThat(inner.udp()).isEqualTo(new UdpHeader(33000, 53, 48, dns.parse().udp().checksum()));
        assertThat(inner.payload().isEmpty()).isTrue();
        assertThat(ParsedFrame.parseIp(frame).innerChecksumsValid()).isTrue();
    }

    @Test
    void packetTooBigQuotesAsMuchAsFitsIn1280Bytes() {
        UdpBuilder big = Frames.ipv6("fd00::5", "fd00::a").udp(5000, 6000).payload(new byte[2000]);
        byte[] frame = Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv6("fd00::1", "fd00::5")
                .icmpv6PacketTooBig(1500, big).build();

        ParsedFrame parsed = ParsedFrame.parse(frame);

        assertThat(frame.length - 14).isEqualTo(Icmp.IPV6_MINIMUM_MTU);
        assertThat(parsed.icmpv6().type()).isEqualTo(Icmp.V6_PACKET_TOO_BIG);
        assertThat(parsed.icmpv6().mtu()).isEqualTo(1500);
        assertThat(parsed.l4ChecksumValid()).isTrue();
        assertThat(parsed.payload().toArray()).isEqualTo(Arrays.copyOf(big.build(), 1280 - 48));
        assertThat(parsed.inner().frame().ipv6().payloadLength()).isEqualTo(2008);
        assertThat(parsed.inner().frame().udp().dstPort()).isEqualTo(6000);
        assertThat(parsed.innerChecksumsValid()).as("clipped: only what can be checked").isTrue();
    }

    @Test
    void wholeQuotedPacketHasItsTransportChecksumChecked() {
        byte[] invoking = Frames.ipv6("fd00::5", "fd00::a").udp(5000, 6000).payload(new byte[] {1, 2, 3}).build();
        ParsedFrame good = ParsedFrame.parseIp(Frames.ipv6("fd00::1", "fd00::5")
                .icmpv6DestinationUnreachable(4, invoking).build());
        invoking[invoking.length - 1] ^= 0x40;
        ParsedFrame bad = ParsedFrame.parseIp(Frames.ipv6("fd00::1", "fd00::5")
                .icmpv6DestinationUnreachable(4, invoking).build());

        assertThat(good.inner().frame().layout().clipped()).isFalse();
        assertThat(good.innerChecksumsValid()).isTrue();
        assertThat(bad.l4ChecksumValid()).isTrue();
        assertThat(bad.innerChecksumsValid()).isFalse();
    }

    @Test
    void echoRequestAndReplyCarryIdentifierSequenceAndData() {
        byte[] data = {9, 8, 7};
        ParsedFrame v4 = Frames.ipv4("10.0.0.1", "10.0.0.2").icmpEchoRequest(0xbeef, 3).body(data).parse();
        ParsedFrame v6 = Frames.ipv6("fd00::1", "fd00::2").icmpv6EchoReply(0xbeef, 3).body(data).parse();

        assertThat(v4.icmp()).extracting(IcmpHeader::type, IcmpHeader::identifier, IcmpHeader::sequence)
                .containsExactly(Icmp.ECHO_REQUEST, 0xbeef, 3);
        assertThat(v6.icmpv6()).extracting(IcmpHeader::type, IcmpHeader::identifier, IcmpHeader::sequence)
                .containsExactly(Icmp.V6_ECHO_REPLY, 0xbeef, 3);
        assertThat(v4.payload()).isEqualTo(Octets.of(data));
        assertThat(v4.l4ChecksumValid()).isTrue();
        assertThat(v6.l4ChecksumValid()).isTrue();
        assertThat(v4.inner()).isNull();
        // The ICMPv6 checksum includes the pseudo-header; the ICMPv4 one does not.
        byte[] message = Arrays.copyOfRange(v6.bytes(), 40, v6.bytes().length);
        assertThat(ReferenceChecksum.transportChecksum(v6.src(), v6.dst(), 58, message)).isZero();
        assertThat(ReferenceChecksum.checksum(Arrays.copyOfRange(v4.bytes(), 20, v4.bytes().length))).isZero();
    }
}
