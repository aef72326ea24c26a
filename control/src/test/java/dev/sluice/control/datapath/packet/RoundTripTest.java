package dev.sluice.control.datapath.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Build, parse, verify and re-encode every combination of link, network and transport layer. */
class RoundTripTest {

    private static final byte[] DATA = "sluice round trip".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    record Link(String name, EthernetBuilder ethernet) {}

    record Network(String name, boolean v6, Function<EthernetBuilder, NetworkLayer> make) {}

    record Transport(String name, Function<NetworkLayer, PacketBuilder> make) {}

    static Stream<Arguments> combinations() {
        List<Link> links = List.of(
                new Link("bare ip", null),
                new Link("ethernet", Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")),
                new Link("ethernet+vlan", Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                        .vlan(new VlanTag(EtherType.VLAN, 5, true, 100))));
        List<Network> networks = List.of(
                new Network("ipv4", false, e -> ipv4(e).id(7).ttl(3)),
                new Network("ipv4+df+options", false, e -> ipv4(e).dontFragment().tos(0xb8)
                        .options(new byte[] {(byte) 0x94, 0x04, 0x00, 0x00, 0x01})),
                new Network("ipv6", true, e -> ipv6(e).trafficClass(0xb8).flowLabel(0xabcde)),
                new Network("ipv6+hbh", true, e -> ipv6(e).hopByHop(new byte[] {0x05, 0x02, 0x00, 0x00})),
                new Network("ipv6+hbh+dstopts+atomic-fragment", true, e -> ipv6(e).hopByHop(new byte[0])
                        .destinationOptions(new byte[] {0x1e, 0x01, 0x07}).fragment(0, false, 0xdeadbeefL)));
        List<Transport> v4Transports = new ArrayList<>(List.of(
                new Transport("tcp", n -> tcp(n)),
                new Transport("tcp+options", n -> tcp(n).options(new byte[] {2, 4, 5, (byte) 0xb4, 1, 3, 3, 7})),
                new Transport("udp", n -> udp(n).payload(DATA)),
                new Transport("udp empty", n -> udp(n))));
        List<Transport> v6Transports = new ArrayList<>(v4Transports);
        v4Transports.add(new Transport("icmp echo", n -> ((Ipv4Builder) n).icmpEchoRequest(0x1234, 9).body(DATA)));
        v4Transports.add(new Transport("raw gre", n -> ((Ipv4Builder) n).protocol(IpProtocol.GRE).payload(DATA)));
        v6Transports.add(new Transport("icmpv6 echo", n -> ((Ipv6Builder) n).icmpv6EchoReply(0x1234, 9).body(DATA)));
        v6Transports.add(new Transport("raw sctp", n -> ((Ipv6Builder) n).nextHeader(IpProtocol.SCTP).payload(DATA)));

        List<Arguments> all = new ArrayList<>();
        for (Link link : links) {
            for (Network network : networks) {
                for (Transport transport : network.v6() ? v6Transports : v4Transports) {
                    PacketBuilder builder = transport.make().apply(network.make().apply(link.ethernet()));
                    all.add(Arguments.of(link.name() + " / " + network.name() + " / " + transport.name(), builder));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void buildsParsesVerifiesAndReencodes(String name, PacketBuilder builder) {
        byte[] bytes = builder.build();
        ParseResult result = builder.hasEthernet() ? ParsedFrame.tryParse(bytes) : ParsedFrame.tryParseIp(bytes);

        assertThat(result.error()).as(name).isNull();
        ParsedFrame frame = result.frame();
        assertThat(frame.ethernet() != null).isEqualTo(builder.hasEthernet());
        assertThat(Addresses.format(frame.src())).isIn("10.244.1.5", "fd00:10:244:1::5");
        assertThat(Addresses.format(frame.dst())).isIn("10.96.0.10", "fd00:10:96::a");
        if (frame.ipv4() != null) {
            assertThat(frame.ipv4HeaderChecksumValid()).as(frame.summary()).isTrue();
            assertThat(frame.ipv4().totalLength()).isEqualTo(bytes.length - l2Length(frame));
        } else {
            assertThat(frame.ipv6().payloadLength()).isEqualTo(bytes.length - l2Length(frame) - 40);
        }
        if (frame.tcp() != null || frame.udp() != null || frame.icmp() != null || frame.icmpv6() != null) {
            assertThat(frame.l4ChecksumValid()).as(frame.summary()).isTrue();
        }
        if (frame.tcp() != null) {
            assertThat(frame.srcPort()).hasValue(40000);
            assertThat(frame.tcp().dataOffset()).isEqualTo(5 + frame.tcp().options().length() / 4);
            assertThat(frame.tcp().flags()).isEqualTo(TcpFlag.mask(TcpFlag.PSH, TcpFlag.ACK));
        }
        if (frame.udp() != null) {
            assertThat(frame.udp().length()).isEqualTo(8 + frame.payload().length());
        }
        assertThat(reencode(frame)).as("the records hold every byte").isEqualTo(bytes);
        assertThat(FieldDiff.between(builder, bytes).isEmpty()).isTrue();
    }

    private static int l2Length(ParsedFrame frame) {
        return frame.ethernet() == null ? 0 : frame.ethernet().length();
    }

    private static byte[] reencode(ParsedFrame frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (frame.ethernet() != null) {
            out.writeBytes(frame.ethernet().encode());
        }
        out.writeBytes(frame.ipv4() != null ? frame.ipv4().encode() : frame.ipv6().encode());
        for (var header : new Object[] {frame.tcp(), frame.udp(), frame.icmp(), frame.icmpv6()}) {
            switch (header) {
                case TcpHeader h -> out.writeBytes(h.encode());
                case UdpHeader h -> out.writeBytes(h.encode());
                case IcmpHeader h -> out.writeBytes(h.encode());
                case null, default -> {}
            }
        }
        out.writeBytes(frame.payload().toArray());
        out.writeBytes(frame.trailer().toArray());
        return out.toByteArray();
    }

    private static Ipv4Builder ipv4(EthernetBuilder ethernet) {
        return ethernet == null ? Frames.ipv4("10.244.1.5", "10.96.0.10") : ethernet.ipv4("10.244.1.5", "10.96.0.10");
    }

    private static Ipv6Builder ipv6(EthernetBuilder ethernet) {
        return ethernet == null
                ? Frames.ipv6("fd00:10:244:1::5", "fd00:10:96::a")
                : ethernet.ipv6("fd00:10:244:1::5", "fd00:10:96::a");
    }

    private static TcpBuilder tcp(NetworkLayer network) {
        TcpBuilder tcp = network instanceof Ipv4Builder v4 ? v4.tcp(40000, 443) : ((Ipv6Builder) network).tcp(40000, 443);
        return tcp.seq(0xfffffff0L).ack(42).flags(TcpFlag.PSH, TcpFlag.ACK).window(502).payload(DATA);
    }

    private static UdpBuilder udp(NetworkLayer network) {
        return network instanceof Ipv4Builder v4 ? v4.udp(40000, 53) : ((Ipv6Builder) network).udp(40000, 53);
    }
}
