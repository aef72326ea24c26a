package dev.sluice.control.datapath.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class BuilderTest {

    @Test
    void buildersAreImmutable() {
        Ipv4Builder base = Frames.ipv4("10.0.0.1", "10.0.0.2");
        Ipv4Builder derived = base.ttl(1).dontFragment();
        TcpBuilder syn = base.tcp(1, 2).flags(TcpFlag.SYN);
        syn.payload(new byte[100]);

        assertThat(base.parse().ipv4().ttl()).isEqualTo(64);
        assertThat(base.parse().ipv4().dontFragment()).isFalse();
        assertThat(derived.parse().ipv4().ttl()).isEqualTo(1);
        assertThat(syn.parse().payload().isEmpty()).isTrue();
    }

    @Test
    void ethernetWithVlanAndMacsInEitherForm() {
        byte[] frame = Frames.ethernet(new byte[] {2, 0, 0, 0, 0, 1}, new byte[] {2, 0, 0, 0, 0, 2})
                .vlan(new VlanTag(EtherType.VLAN, 3, false, 42)).ipv4("10.0.0.1", "10.0.0.2").build();

        assertThat(Frames.hex(frame).substring(0, 38))
                .isEqualTo("020000000002" + "020000000001" + "8100" + "602a" + "0800" + "45");
        ParsedFrame parsed = ParsedFrame.parse(frame);
        assertThat(parsed.ethernet().src()).isEqualTo(MacAddress.of("02:00:00:00:00:01"));
        assertThat(parsed.ethernet().vlan()).isEqualTo(new VlanTag(EtherType.VLAN, 3, false, 42));
        assertThat(Frames.l3(frame)).isEqualTo(Frames.ipv4("10.0.0.1", "10.0.0.2").build());
        assertThatThrownBy(() -> MacAddress.of("02:00:00:00:01")).hasMessageContaining("not a MAC address");
    }

    @Test
    void ipv4FlagsFragmentOffsetOptionsAndOverrides() throws Exception {
        Ipv4Builder ip = Frames.ipv4(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), Addresses.ipv4("10.0.0.2"))
                .tos(0x2e).id(0xabcd).dontFragment().moreFragments().fragmentOffset(0x123).protocol(99)
                .options(new byte[] {(byte) 0x94, 4, 0, 0, 1}).payload(new byte[3]);
        byte[] packet = ip.build();

        assertThat(Frames.hex(packet).substring(0, 20)).isEqualTo("47" + "2e" + "001f" + "abcd" + "6123" + "40" + "63");
        assertThat(ParsedFrame.parseIp(packet).ipv4().options()).isEqualTo(Octets.hex("9404000001000000"));
        assertThat(ParsedFrame.parseIp(packet).ipv4HeaderChecksumValid()).isTrue();
        byte[] bad = ip.ihl(2).totalLength(7).checksum(0xbad0).build();
        assertThat(Frames.hex(bad).substring(0, 20)).isEqualTo("42" + "2e" + "0007" + "abcd" + "6123" + "40" + "63");
        assertThat(Frames.hex(bad).substring(20, 24)).isEqualTo("bad0");
    }

    @Test
    void ipv6ExtensionChainIsLinkedAndPadded() {
        byte[] packet = Frames.ipv6("fd00::1", "fd00::2").trafficClass(0xb8).flowLabel(0x12345)
                .hopByHop(new byte[] {5, 2, 0, 0}) // router alert, padded with PadN to 8 bytes
                .fragment(0, true, 0x01020304L)
                .tcp(1, 2).build();
        ParsedFrame parsed = ParsedFrame.parseIp(packet);

        assertThat(Frames.hex(packet).substring(0, 16)).isEqualTo("6b812345" + "0024" + "00" + "40");
        assertThat(parsed.ipv6().extensions()).containsExactly(
                new Ipv6Extension.HopByHop(IpProtocol.FRAGMENT, Octets.hex("050200000100")),
                new Ipv6Extension.Fragment(IpProtocol.TCP, 0, true, 0x01020304L));
        assertThat(parsed.ipv6().upperLayerProtocol()).isEqualTo(IpProtocol.TCP);
        assertThat(parsed.tcp()).as("first fragment still carries the header").isNotNull();
        assertThat(Ipv6Builder.padOptions(new byte[5])).hasSize(6).endsWith(0);
    }

    @Test
    void ipv4MappedIpv6AddressesStaySixteenBytes() {
        ParsedFrame parsed = Frames.ipv6("::ffff:10.0.0.1", "fd00::2").udp(1, 2).parse();

        assertThat(parsed.ipv6().src().getAddress()).hasSize(16);
        assertThat(Addresses.format(parsed.src())).isEqualTo("::ffff:a00:1");
        assertThat(parsed.l4ChecksumValid()).isTrue();
    }

    @Test
    void rfc5952Formatting() {
        assertThat(Addresses.format(Addresses.ipv6("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(Addresses.format(Addresses.ipv6("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(Addresses.format(Addresses.ipv6("::"))).isEqualTo("::");
        assertThat(Addresses.format(Addresses.ipv6("fd00::"))).isEqualTo("fd00::");
    }

    @Test
    void tcpFieldsAndRawEthernetPayload() {
        TcpHeader tcp = Frames.ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).seq(0xffffffffL).ack(0x80000000L)
                .flags(TcpFlag.FIN, TcpFlag.RST, TcpFlag.PSH, TcpFlag.URG).window(1).urgentPointer(7)
                .options(new byte[] {1}).parse().tcp();
        ParsedFrame raw = ParsedFrame.parse(Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .payload(new byte[] {1, 2}).build());

        assertThat(tcp).isEqualTo(new TcpHeader(1, 2, 0xffffffffL, 0x80000000L, 6, 0, 0x2d, 1, tcp.checksum(), 7,
                Octets.hex("01000000")));
        assertThat(raw.ethernet().etherType()).isEqualTo(EthernetBuilder.EXPERIMENTAL_ETHERTYPE);
        assertThat(raw.payload()).isEqualTo(Octets.of((byte) 1, (byte) 2));
    }
}
