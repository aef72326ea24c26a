package dev.sluice.control.maglev;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MaglevBalanceTest {

    static Stream<Arguments> sizes() {
        return Stream.of(251, 16381, 65537)
                .flatMap(m -> Stream.of(1, 2, 3, 10, 100, 1000)
                        .filter(n -> n < m)
                        .flatMap(n -> Stream.of(0L, 0xDEADBEEFCAFEF00DL).map(seed -> Arguments.of(m, n, seed))));
    }

    @ParameterizedTest(name = "M={0} N={1} seed={2}")
    @MethodSource("sizes")
    void everySlotIsFilledAndEveryBackendOwnsFloorOrCeilOfMOverN(int m, int n, long seed) {
        List<String> ids = TestBackends.ids(n);
        MaglevTable table = MaglevTable.build(ids, m, seed);

        int[] owners = table.toBackendIndexes();
        assertThat(owners).hasSize(m);
        assertThat(IntStream.of(owners).allMatch(owner -> owner >= 0 && owner < n)).as("every slot owned").isTrue();

        int floor = m / n;
        int ceil = floor + (m % n == 0 ? 0 : 1);
        Map<String, Integer> counts = table.slotCounts();
        assertThat(counts).hasSize(n);
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(floor, ceil));
        // Exactly M mod N backends get the extra slot: no slot is lost or counted twice.
        assertThat(counts.values().stream().filter(count -> count == ceil && ceil != floor)).hasSize(m % n);
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(m);
    }
}
