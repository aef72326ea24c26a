package dev.sluice.control.datapath.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MutatorTest {

    private static final byte[] VALID = Frames.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
            .ipv4("10.244.1.5", "10.96.0.10").tcp(40000, 443).flags(TcpFlag.SYN).payload(new byte[16]).build();

    @Test
    void theSameSeedGivesTheSameFramesAndMutations() {
        assertThat(run(Mutator.seeded(42))).isEqualTo(run(Mutator.seeded(42)));
        assertThat(run(new Mutator(new SplittableRandom(42)))).isEqualTo(run(Mutator.seeded(42)));
        assertThat(run(Mutator.seeded(43))).isNotEqualTo(run(Mutator.seeded(42)));
    }

    @Test
    void randomFramesCoverTheCornersTheDatapathMustSurvive() {
        Mutator mutator = Mutator.seeded(2024);
        List<String> descriptions = new ArrayList<>();
        int parsedOk = 0;
        int emptyPayloads = 0;
        for (int i = 0; i < 3000; i++) {
            Mutation frame = mutator.randomFrame();
            descriptions.add(frame.description());
            ParseResult result = ParsedFrame.tryParse(frame.bytes());
            if (result.ok()) {
                parsedOk++;
                if (result.frame().payload().isEmpty()) {
                    emptyPayloads++;
                }
            }
        }
        String all = String.join("\n", descriptions);

        for (String corner : List.of(" vlan ", " ethertype 0x", " options ", " MF", " offset ", " ihl ", " hbh",
                " dstopts", " frag offset", " truncated@", "protocol ", " tcp", " udp", " icmp error", " icmpv6 echo",
                " payload 0", " zero-checksum")) {
            assertThat(all).as(corner).contains(corner);
        }
        assertThat(parsedOk).as("most frames are well-formed").isGreaterThan(1500);
        assertThat(emptyPayloads).isPositive();
    }

    @Test
    void wellFormedRandomFramesCarryValidChecksums() {
        Mutator mutator = Mutator.seeded(5);
        int checked = 0;
        for (int i = 0; i < 2000; i++) {
            Mutation frame = mutator.randomFrame();
            String how = frame.description();
            if (how.matches(".*(ethertype|ihl|totalLength|payloadLength|truncated|bad-checksum|frag|MF|offset).*")
                    || how.contains("ipv6") && how.contains("zero-checksum")) {
                continue;
            }
            ParsedFrame parsed = ParsedFrame.tryParse(frame.bytes()).orThrow();
            if (parsed.ipv4() != null) {
                assertThat(parsed.ipv4HeaderChecksumValid()).as(frame.description()).isTrue();
            }
            if (parsed.tcp() != null || parsed.udp() != null || parsed.icmp() != null || parsed.icmpv6() != null) {
                assertThat(parsed.l4ChecksumValid()).as(frame.description()).isTrue();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(500);
    }

    @Test
    void mutationsChangeTheFrameAndNeverBreakTryParse() {
        Mutator mutator = Mutator.seeded(99);
        int changed = 0;
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Mutation mutation = mutator.mutate(VALID);
            kinds.add(mutation.description().replaceAll("[ =@].*", ""));
            if (!java.util.Arrays.equals(mutation.bytes(), VALID)) {
                changed++;
            }
            ParsedFrame.tryParse(mutation.bytes());
            ParsedFrame.tryParse(mutator.mutate(mutator.randomFrame().bytes()).bytes());
        }
        assertThat(changed).isGreaterThan(2900);
        assertThat(kinds).contains("flipped", "truncated", "overwrote", "appended", "ipv4.totalLength", "tcp.dataOffset");
    }

    @Test
    void anEmptyFrameCanStillBeMutated() {
        assertThat(Mutator.seeded(1).mutate(new byte[0]).bytes()).isNotEmpty();
    }

    private static List<Mutation> run(Mutator mutator) {
        return IntStream.range(0, 300)
                .mapToObj(i -> i % 2 == 0 ? mutator.randomFrame() : mutator.mutate(VALID))
                .toList();
    }
}
