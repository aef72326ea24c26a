package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.CLIENT_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_MAC;
import static dev.sluice.control.datapath.TestServices.TCP;
import static dev.sluice.control.datapath.TestServices.UDP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.packet.Frames;
import dev.sluice.control.datapath.packet.Ipv6Extension;
import dev.sluice.control.datapath.packet.Mutator;
import dev.sluice.control.datapath.packet.ParseResult;
import dev.sluice.control.datapath.packet.ParsedFrame;
import dev.sluice.control.datapath.packet.TcpFlag;
import dev.sluice.ffm.TestRunResult;
import dev.sluice.ffm.testing.KernelTest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * 100,000 random, valid and mutated frames through xdp_node. Whatever is not service traffic
 * (including everything malformed) must leave untouched; service traffic may be translated, and
 * then only addresses, ports, hop limit, MACs and checksums change, checksums stay exactly as
 * valid as they were, and the destination is a backend.
 */
@KernelTest
class DatapathFuzzTest {
    private static final int FRAMES = 100_000;
    private static final int NODE_PORT = 30080;
    private static final int LB_PORT = 80;
    private static final int TARGET_PORT = 8080;

    private record Frontend(InetAddress address, int port, int protocol) {
    }

    @Test
    void noNonServiceFrameIsModifiedAndNoServiceFrameIsRewrittenInconsistently() throws Exception {
        try (DatapathLab lab = DatapathLab.create()) {
            // Tens of thousands of live SNAT flows to two backends need more source ports than the
            // default range; exhaustion (a counted drop) is another test's subject.
            lab.maps().config().put(0, new DatapathConfig(DatapathLab.HASH_SEED, 1024, 65535,
                    DatapathLab.NODE4, DatapathLab.NODE6));
            Set<Frontend> frontends = new HashSet<>();
            Set<InetAddress> backends = new HashSet<>();
            int serviceId = 1;
            for (LabAddresses net : LabAddresses.values()) {
                Map<Integer, BackendValue> remote = Map.of(serviceId * 10 + 1, new BackendValue(net.remotePod1, TARGET_PORT, 0),
                        serviceId * 10 + 2, new BackendValue(net.remotePod2, TARGET_PORT, 0));
                TestServices.install(lab.maps(), serviceId, 0, 0, remote, TestServices.table(serviceId * 10 + 1, serviceId * 10 + 2),
                        List.of(new FrontendKey(net.node, NODE_PORT, TCP), new FrontendKey(net.node, NODE_PORT, UDP)),
                        FrontendValue.NODE_PORT);
                Map<Integer, BackendValue> local = Map.of(serviceId * 10 + 3,
                        new BackendValue(net.localPod1, TARGET_PORT, BackendValue.F_LOCAL));
                TestServices.install(lab.maps(), serviceId + 1, 0, 0, local, TestServices.table(serviceId * 10 + 3),
                        List.of(new FrontendKey(net.loadBalancerIp, LB_PORT, TCP)), FrontendValue.LOAD_BALANCER);
                frontends.add(new Frontend(net.node, NODE_PORT, TCP));
                frontends.add(new Frontend(net.node, NODE_PORT, UDP));
                frontends.add(new Frontend(net.loadBalancerIp, LB_PORT, TCP));
                backends.addAll(List.of(net.remotePod1, net.remotePod2, net.localPod1));
                serviceId += 2;
            }

            Mutator mutator = Mutator.seeded(20261122L);
            SplittableRandom random = new SplittableRandom(7);
            List<byte[]> inputs = new ArrayList<>(FRAMES);
            List<String> origins = new ArrayList<>(FRAMES);
            while (inputs.size() < FRAMES) {
                int i = inputs.size();
                switch (i % 3) {
                    case 0 -> {
                        var mutation = mutator.randomFrame();
                        inputs.add(mutation.frame().toArray());
                        origins.add("random: " + mutation.description());
                    }
                    case 1 -> {
                        inputs.add(serviceFrame(random));
                        origins.add("service frame");
                    }
                    default -> {
                        var mutation = mutator.mutate(serviceFrame(random));
                        inputs.add(mutation.frame().toArray());
                        origins.add("mutated service frame: " + mutation.description());
                    }
                }
                // BPF_PROG_RUN refuses frames shorter than an Ethernet header, and no NIC delivers them.
                if (inputs.getLast().length < 14) {
                    inputs.removeLast();
                    origins.removeLast();
                }
            }

            List<TestRunResult> results = lab.xdpAll(inputs);

            List<String> violations = new ArrayList<>();
            int serviceFrames = 0;
            int translated = 0;
            for (int i = 0; i < FRAMES; i++) {
                byte[] in = inputs.get(i);
                TestRunResult result = results.get(i);
                ParseResult parsed = ParsedFrame.tryParse(in);
                boolean service = parsed.ok() && isService(parsed.frame(), frontends);
                boolean untouched = result.returnValue() == XdpNodeServiceTest.XDP_PASS
                        && java.util.Arrays.equals(in, result.dataOut());
                String problem;
                if (parsed.ok() && parsed.frame().isFragment()) {
                    // A fragment of a datagram this node translates is translated too (mutations
                    // make fragments of service frames): addresses only, ports in a first fragment.
                    problem = untouched ? null : fragmentInconsistency(parsed.frame(), result, backends);
                } else if (!service) {
                    problem = result.returnValue() == XdpNodeServiceTest.XDP_PASS && java.util.Arrays.equals(in, result.dataOut())
                            ? null : "non-service frame modified or not passed (verdict " + result.returnValue() + ")";
                } else {
                    serviceFrames++;
                    if (!untouched && result.returnValue() != XdpNodeServiceTest.XDP_DROP) {
                        translated++;
                    }
                    problem = untouched ? null : inconsistency(parsed.frame(), result, backends);
                }
                if (problem != null && violations.size() < 10) {
                    violations.add("#" + i + " (" + origins.get(i) + "): " + problem + "\n  in:  "
                            + Frames.hex(in) + "\n  out: " + Frames.hex(result.dataOut()));
                }
            }
            System.out.printf("fuzz: %d frames, %d service frames, %d translated%n", FRAMES, serviceFrames, translated);
            assertThat(violations).isEmpty();
            // The run only proves something if it really exercised translation.
            assertThat(serviceFrames).isGreaterThan(FRAMES / 3);
            assertThat(translated).isGreaterThan(FRAMES / 4);
        }
    }

    private static byte[] serviceFrame(SplittableRandom random) throws UnknownHostException {
        LabAddresses net = random.nextBoolean() ? LabAddresses.IPV4 : LabAddresses.IPV6;
        byte[] clientBytes = net.client.getAddress().clone();
        clientBytes[clientBytes.length - 1] = (byte) random.nextInt(1, 255);
        InetAddress client = InetAddress.getByAddress(clientBytes);
        int clientPort = random.nextInt(1024, 65536);
        byte[] payload = new byte[random.nextInt(0, 80)];
        random.nextBytes(payload);
        return switch (random.nextInt(3)) {
            case 0 -> net.tcp(CLIENT_MAC, NODE_MAC, client, net.node, random.nextInt(2, 256), clientPort, NODE_PORT)
                    .flags(random.nextInt(256)).seq(random.nextLong(1L << 32)).payload(payload).build();
            case 1 -> net.udp(CLIENT_MAC, NODE_MAC, client, net.node, random.nextInt(2, 256), clientPort, NODE_PORT)
                    .payload(payload).build();
            default -> net.tcp(CLIENT_MAC, NODE_MAC, client, net.loadBalancerIp, random.nextInt(2, 256), clientPort, LB_PORT)
                    .flags(TcpFlag.SYN).seq(random.nextLong(1L << 32)).payload(payload).build();
        };
    }

    private static boolean isService(ParsedFrame frame, Set<Frontend> frontends) {
        if (frame.isFragment() || frame.ethernet() == null || frame.ethernet().vlan() != null
                || (frame.tcp() == null && frame.udp() == null) || frame.layout().clipped()) {
            return false;
        }
        int protocol = frame.tcp() != null ? TCP : UDP;
        return frontends.contains(new Frontend(frame.dst(), frame.dstPort().orElse(-1), protocol));
    }

    /** As {@link #inconsistency} for a fragment, whose transport checksum covers fragments not seen here. */
    private static String fragmentInconsistency(ParsedFrame in, TestRunResult result, Set<InetAddress> backends) {
        byte[] before = in.layout().raw().toArray();
        byte[] after = result.dataOut();
        if (result.returnValue() == XdpNodeServiceTest.XDP_DROP && strayFirstFragment(in)) {
            // A TCP segment other than a SYN starts no connection: without one it is dropped.
            return java.util.Arrays.equals(before, after) ? null : "dropped fragment modified";
        }
        if ((result.returnValue() != XdpNodeServiceTest.XDP_TX && result.returnValue() != XdpNodeServiceTest.XDP_PASS)
                || after.length != before.length) {
            return "fragment got verdict " + result.returnValue() + ", " + after.length + " bytes";
        }
        ParseResult parsed = ParsedFrame.tryParse(after);
        if (!parsed.ok() || !backends.contains(parsed.frame().dst())) {
            return "translated fragment is not addressed to a backend";
        }
        if (in.ipv4() != null && in.ipv4HeaderChecksumValid() != parsed.frame().ipv4HeaderChecksumValid()) {
            return "IPv4 header checksum validity changed";
        }
        boolean first = in.ipv4() != null ? in.ipv4().fragmentOffset() == 0
                : in.ipv6().extensions().stream().noneMatch(e -> e instanceof Ipv6Extension.Fragment f && f.fragmentOffset() != 0);
        int l3 = in.layout().l3Offset();
        int l4 = in.layout().l4Offset();
        for (int i = 0; i < before.length; i++) {
            boolean header = i < 12 || (in.ipv4() != null
                    ? i == l3 + 8 || (i >= l3 + 10 && i < l3 + 20) : i == l3 + 7 || (i >= l3 + 8 && i < l3 + 40));
            boolean transport = first && i >= l4 && (i < l4 + 4 || i == l4 + 6 || i == l4 + 7 || i == l4 + 16 || i == l4 + 17);
            if (!header && !transport && before[i] != after[i]) {
                return "byte " + i + " of a " + (first ? "first" : "later") + " fragment changed";
            }
        }
        return null;
    }

    /** A first fragment carrying a TCP header whose flags are not a connection's opening SYN. */
    private static boolean strayFirstFragment(ParsedFrame in) {
        byte[] raw = in.layout().raw().toArray();
        int flagsAt = in.layout().l4Offset() + 13;
        boolean first = in.ipv4() != null ? in.ipv4().fragmentOffset() == 0
                : in.ipv6().extensions().stream().noneMatch(e -> e instanceof Ipv6Extension.Fragment f && f.fragmentOffset() != 0);
        return first && in.l4Protocol() == TCP && flagsAt < raw.length && (raw[flagsAt] & (TcpFlag.SYN.bit | TcpFlag.ACK.bit)) != TcpFlag.SYN.bit;
    }

    /** Null when the translated frame is consistent with its input, else what is wrong. */
    private static String inconsistency(ParsedFrame in, TestRunResult result, Set<InetAddress> backends) {
        byte[] before = in.layout().raw().toArray();
        byte[] after = result.dataOut();
        if (result.returnValue() == XdpNodeServiceTest.XDP_DROP && in.tcp() != null
                && !(in.tcp().has(TcpFlag.SYN) && !in.tcp().has(TcpFlag.ACK))) {
            // A TCP segment other than a SYN starts no connection: without one it is dropped.
            return java.util.Arrays.equals(before, after) ? null : "dropped segment modified";
        }
        if (result.returnValue() != XdpNodeServiceTest.XDP_TX && result.returnValue() != XdpNodeServiceTest.XDP_PASS) {
            return "service frame got verdict " + result.returnValue();
        }
        if (after.length != before.length) {
            return "length changed";
        }
        ParseResult parsed = ParsedFrame.tryParse(after);
        if (!parsed.ok()) {
            return "output does not parse: " + parsed.error();
        }
        ParsedFrame out = parsed.frame();
        if (!backends.contains(out.dst()) || out.dstPort().orElse(-1) != TARGET_PORT) {
            return "destination " + out.dst() + ":" + out.dstPort() + " is no backend";
        }
        if (in.ipv4() != null && in.ipv4HeaderChecksumValid() != out.ipv4HeaderChecksumValid()) {
            return "IPv4 header checksum validity changed";
        }
        if (in.l4ChecksumValid() != out.l4ChecksumValid()) {
            return "L4 checksum validity changed";
        }
        boolean[] mayChange = new boolean[before.length];
        java.util.Arrays.fill(mayChange, 0, 12, true);
        int l3 = in.layout().l3Offset();
        int l4 = in.layout().l4Offset();
        if (in.ipv4() != null) {
            for (int offset : new int[] {8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}) {
                mayChange[l3 + offset] = true;
            }
        } else {
            mayChange[l3 + 7] = true;
            java.util.Arrays.fill(mayChange, l3 + 8, l3 + 40, true);
        }
        java.util.Arrays.fill(mayChange, l4, l4 + 4, true);
        int check = in.tcp() != null ? 16 : 6;
        mayChange[l4 + check] = true;
        mayChange[l4 + check + 1] = true;
        for (int i = 0; i < before.length; i++) {
            if (!mayChange[i] && before[i] != after[i]) {
                return "byte " + i + " changed though it is no address, port, hop limit or checksum";
            }
        }
        return null;
    }
}
