package dev.sluice.control.datapath.packet;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Fuzzing input for the datapath: random frames covering the odd corners (VLAN tags, IPv4 options,
 * fragments, bad IHL, IPv6 extension headers, unknown protocols, empty payloads, truncation) and
 * mutations of a given frame. Everything comes from the one generator, so a seed reproduces a run.
 */
public final class Mutator {

    private final RandomGenerator random;

    public Mutator(RandomGenerator random) {
        this.random = random;
    }

    public static Mutator seeded(long seed) {
        return new Mutator(new SplittableRandom(seed));
    }

    /** A random Ethernet frame, sometimes malformed on purpose; the description says how. */
    public Mutation randomFrame() {
        StringBuilder how = new StringBuilder("eth");
        EthernetBuilder eth = Frames.ethernet(randomMac(), randomMac());
        if (chance(0.15)) {
            int vlan = random.nextInt(4096);
            eth = eth.vlan(vlan);
            how.append(" vlan ").append(vlan);
        }
        PacketBuilder frame = switch (random.nextInt(10)) {
            case 0 -> rawEthernet(eth, how);
            case 1, 2, 3, 4, 5 -> transport(ipv4(eth, how), how);
            default -> transport(ipv6(eth, how), how);
        };
        byte[] bytes = frame.build();
        if (chance(0.15) && bytes.length > 0) {
            int cut = random.nextInt(bytes.length);
            bytes = java.util.Arrays.copyOf(bytes, cut);
            how.append(" truncated@").append(cut);
        }
        return new Mutation(how.toString(), Octets.of(bytes));
    }

    /** One random change to {@code frame}: bit flips, truncation, a header field overwritten, or junk. */
    public Mutation mutate(byte[] frame) {
        byte[] bytes = frame.clone();
        if (bytes.length == 0) {
            return append(bytes);
        }
        return switch (random.nextInt(5)) {
            case 0, 1 -> flipBits(bytes);
            case 2 -> {
                int cut = random.nextInt(bytes.length);
                yield new Mutation("truncated@" + cut, Octets.of(java.util.Arrays.copyOf(bytes, cut)));
            }
            case 3 -> overwriteField(bytes);
            default -> chance(0.5) ? append(bytes) : overwriteBytes(bytes);
        };
    }

    private PacketBuilder rawEthernet(EthernetBuilder eth, StringBuilder how) {
        int[] types = {EtherType.ARP, EthernetBuilder.EXPERIMENTAL_ETHERTYPE, EtherType.VLAN, random.nextInt(0x10000)};
        int type = types[random.nextInt(types.length)];
        how.append(String.format(" ethertype 0x%04x", type));
        return eth.etherType(type).payload(randomBytes(random.nextInt(64)));
    }

    private Ipv4Builder ipv4(EthernetBuilder eth, StringBuilder how) {
        how.append(" ipv4");
        Ipv4Builder ip = eth.ipv4(Addresses.ipv4(randomBytes(4), 0), Addresses.ipv4(randomBytes(4), 0))
                .id(random.nextInt(0x10000)).ttl(random.nextInt(256)).tos(random.nextInt(256));
        if (chance(0.3)) {
            ip = ip.dontFragment();
        }
        if (chance(0.2)) {
            int length = random.nextInt(41);
            ip = ip.options(randomBytes(length));
            how.append(" options ").append(length);
        }
        if (chance(0.12)) {
            ip = ip.moreFragments();
            how.append(" MF");
        }
        if (chance(0.12)) {
            int offset = 1 + random.nextInt(0x1fff);
            ip = ip.fragmentOffset(offset);
            how.append(" offset ").append(offset);
        }
        if (chance(0.08)) {
            int ihl = random.nextInt(16);
            ip = ip.ihl(ihl);
            how.append(" ihl ").append(ihl);
        }
        if (chance(0.05)) {
            int total = random.nextInt(0x10000);
            ip = ip.totalLength(total);
            how.append(" totalLength ").append(total);
        }
        if (chance(0.05)) {
            ip = ip.checksum(random.nextInt(0x10000));
            how.append(" bad-checksum?");
        }
        return ip;
    }

    private Ipv6Builder ipv6(EthernetBuilder eth, StringBuilder how) {
        how.append(" ipv6");
        Ipv6Builder ip = eth.ipv6(Addresses.ipv6(randomBytes(16), 0), Addresses.ipv6(randomBytes(16), 0))
                .trafficClass(random.nextInt(256)).flowLabel(random.nextInt(0x100000)).hopLimit(random.nextInt(256));
        if (chance(0.2)) {
            ip = ip.hopByHop(randomBytes(random.nextInt(20)));
            how.append(" hbh");
        }
        if (chance(0.1)) {
            ip = ip.destinationOptions(randomBytes(random.nextInt(20)));
            how.append(" dstopts");
        }
        if (chance(0.15)) {
            boolean more = random.nextBoolean();
            int offset = chance(0.5) ? 0 : 1 + random.nextInt(0x1fff);
            ip = ip.fragment(offset, more, random.nextLong(1L << 32));
            how.append(" frag offset ").append(offset).append(more ? " M" : "");
        }
        if (chance(0.05)) {
            int length = random.nextInt(0x10000);
            ip = ip.payloadLength(length);
            how.append(" payloadLength ").append(length);
        }
        return ip;
    }

    private PacketBuilder transport(NetworkLayer network, StringBuilder how) {
        boolean v6 = network instanceof Ipv6Builder;
        int payloadLength = chance(0.25) ? 0 : random.nextInt(200);
        byte[] payload = randomBytes(payloadLength);
        how.append(' ');
        switch (random.nextInt(4)) {
            case 0 -> {
                how.append("tcp").append(" payload ").append(payloadLength);
                TcpBuilder tcp = tcp(network).seq(random.nextLong(1L << 32)).ack(random.nextLong(1L << 32))
                        .flags(random.nextInt(256)).window(random.nextInt(0x10000)).payload(payload);
                return chance(0.3) ? tcp.options(randomBytes(random.nextInt(41))) : tcp;
            }
            case 1 -> {
                how.append("udp").append(" payload ").append(payloadLength);
                UdpBuilder udp = udp(network).payload(payload);
                if (chance(0.1)) {
                    how.append(" zero-checksum");
                    return udp.zeroChecksum();
                }
                return udp;
            }
            case 2 -> {
                how.append(v6 ? "icmpv6" : "icmp");
                return icmp(network, v6, how);
            }
            default -> {
                int[] protocols = {IpProtocol.GRE, IpProtocol.SCTP, unknownProtocol()};
                int protocol = protocols[random.nextInt(protocols.length)];
                how.append("protocol ").append(protocol).append(" payload ").append(payloadLength);
                return v6 ? ((Ipv6Builder) network).nextHeader(protocol).payload(payload)
                        : ((Ipv4Builder) network).protocol(protocol).payload(payload);
            }
        }
    }

    /** A protocol the parser does not decode: random bytes under TCP's number would just be bad TCP. */
    private int unknownProtocol() {
        while (true) {
            int protocol = random.nextInt(256);
            boolean decoded = protocol == IpProtocol.TCP || protocol == IpProtocol.UDP || protocol == IpProtocol.ICMP
                    || protocol == IpProtocol.ICMPV6 || IpProtocol.isIpv6Extension(protocol);
            if (!decoded) {
                return protocol;
            }
        }
    }

    private PacketBuilder icmp(NetworkLayer network, boolean v6, StringBuilder how) {
        if (chance(0.5)) {
            how.append(" echo");
            byte[] data = randomBytes(random.nextInt(64));
            return v6 ? ((Ipv6Builder) network).icmpv6EchoRequest(random.nextInt(0x10000), random.nextInt(0x10000)).body(data)
                    : ((Ipv4Builder) network).icmpEchoRequest(random.nextInt(0x10000), random.nextInt(0x10000)).body(data);
        }
        how.append(" error");
        byte[] payload = randomBytes(random.nextInt(40));
        if (v6) {
            byte[] invoking = Frames.ipv6(Addresses.ipv6(randomBytes(16), 0), Addresses.ipv6(randomBytes(16), 0))
                    .udp(random.nextInt(0x10000), random.nextInt(0x10000)).payload(payload).build();
            return ((Ipv6Builder) network).icmpv6PacketTooBig(1280 + random.nextInt(8000), invoking);
        }
        byte[] invoking = Frames.ipv4(Addresses.ipv4(randomBytes(4), 0), Addresses.ipv4(randomBytes(4), 0))
                .tcp(random.nextInt(0x10000), random.nextInt(0x10000)).payload(payload).build();
        return ((Ipv4Builder) network).icmpFragmentationNeeded(576 + random.nextInt(1000), invoking);
    }

    private static TcpBuilder tcp(NetworkLayer network) {
        int sport = 1024;
        int dport = 80;
        return network instanceof Ipv6Builder v6 ? v6.tcp(sport, dport) : ((Ipv4Builder) network).tcp(sport, dport);
    }

    private UdpBuilder udp(NetworkLayer network) {
        int sport = random.nextInt(0x10000);
        int dport = random.nextInt(0x10000);
        return network instanceof Ipv6Builder v6 ? v6.udp(sport, dport) : ((Ipv4Builder) network).udp(sport, dport);
    }

    private Mutation flipBits(byte[] bytes) {
        int flips = 1 + random.nextInt(3);
        List<String> where = new ArrayList<>();
        for (int i = 0; i < flips; i++) {
            int bit = random.nextInt(bytes.length * 8);
            bytes[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            where.add(String.valueOf(bit));
        }
        return new Mutation("flipped bits " + String.join(",", where), Octets.of(bytes));
    }

    /** Overwrites a length, type or offset field found by parsing: the fields parsers trust most. */
    private Mutation overwriteField(byte[] bytes) {
        ParsedFrame frame = ParsedFrame.tryParse(bytes).frame();
        int l3 = frame.layout().l3Offset();
        int l4 = frame.layout().l4Offset();
        List<Object[]> fields = new ArrayList<>();
        if (frame.ethernet() != null) {
            fields.add(new Object[] {"ethertype", frame.ethernet().vlan() == null ? 12 : 16, 2});
        }
        if (frame.ipv4() != null) {
            fields.add(new Object[] {"ipv4.version+ihl", l3, 1});
            fields.add(new Object[] {"ipv4.totalLength", l3 + 2, 2});
            fields.add(new Object[] {"ipv4.flags+fragmentOffset", l3 + 6, 2});
            fields.add(new Object[] {"ipv4.protocol", l3 + 9, 1});
        }
        if (frame.ipv6() != null) {
            fields.add(new Object[] {"ipv6.payloadLength", l3 + 4, 2});
            fields.add(new Object[] {"ipv6.nextHeader", l3 + 6, 1});
        }
        if (frame.tcp() != null) {
            fields.add(new Object[] {"tcp.dataOffset", l4 + 12, 1});
            fields.add(new Object[] {"tcp.dstPort", l4 + 2, 2});
        }
        if (frame.udp() != null) {
            fields.add(new Object[] {"udp.length", l4 + 4, 2});
            fields.add(new Object[] {"udp.dstPort", l4 + 2, 2});
        }
        if (frame.icmp() != null || frame.icmpv6() != null) {
            fields.add(new Object[] {"icmp.type", l4, 1});
        }
        if (fields.isEmpty()) {
            return overwriteBytes(bytes);
        }
        Object[] field = fields.get(random.nextInt(fields.size()));
        int at = (int) field[1];
        int width = (int) field[2];
        int value = random.nextInt(1 << (8 * width));
        if (width == 2) {
            Wire.put16(bytes, at, value);
        } else {
            bytes[at] = (byte) value;
        }
        return new Mutation(field[0] + "=" + value, Octets.of(bytes));
    }

    private Mutation overwriteBytes(byte[] bytes) {
        int at = random.nextInt(bytes.length);
        int length = 1 + random.nextInt(Math.min(8, bytes.length - at));
        byte[] junk = randomBytes(length);
        System.arraycopy(junk, 0, bytes, at, length);
        return new Mutation("overwrote " + length + " bytes at " + at, Octets.of(bytes));
    }

    private Mutation append(byte[] bytes) {
        byte[] junk = randomBytes(1 + random.nextInt(32));
        return new Mutation("appended " + junk.length + " bytes", Octets.of(Wire.concat(bytes, junk)));
    }

    private byte[] randomMac() {
        byte[] mac = randomBytes(6);
        mac[0] = (byte) ((mac[0] & 0xfe) | 0x02); // unicast, locally administered
        return mac;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private boolean chance(double probability) {
        return random.nextDouble() < probability;
    }
}
