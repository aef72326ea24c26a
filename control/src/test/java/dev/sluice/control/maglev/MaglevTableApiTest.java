package dev.sluice.control.maglev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MaglevTableApiTest {

    @Test
    void isPrimeAgreesWithASieve() {
        int limit = 70_000;
        boolean[] composite = new boolean[limit];
        for (int i = 2; i * i < limit; i++) {
            for (int j = i * i; j < limit; j += i) {
                composite[j] = true;
            }
        }
        for (int n = -5; n < limit; n++) {
            assertThat(MaglevTable.isPrime(n)).as("isPrime(%d)", n).isEqualTo(n >= 2 && !composite[n]);
        }
    }

    @Test
    void isPrimeNearIntMax() {
        assertThat(MaglevTable.isPrime(Integer.MAX_VALUE)).isTrue(); // 2^31 - 1, a Mersenne prime
        assertThat(MaglevTable.isPrime(2147483629)).isTrue();
        assertThat(MaglevTable.isPrime(2147483647 - 2)).isFalse(); // 5 * 429496729
        assertThat(MaglevTable.isPrime(46337 * 46337)).isFalse(); // square of the largest prime below sqrt(2^31)
        assertThat(MaglevTable.isPrime(MaglevTable.DEFAULT_SIZE)).isTrue();
        assertThat(MaglevTable.isPrime(65537)).isTrue();
    }

    @Test
    void accessorsAreConsistentWithEachOther() {
        List<String> ids = List.of("10.0.1.7:8080/TCP", "10.0.1.5:8080/TCP", "10.0.1.6:8080/TCP");
        MaglevTable table = MaglevTable.build(ids, 251, 9);

        assertThat(table.size()).isEqualTo(251);
        assertThat(table.seed()).isEqualTo(9);
        assertThat(table.isEmpty()).isFalse();
        assertThat(table.backends()).containsExactly("10.0.1.5:8080/TCP", "10.0.1.6:8080/TCP", "10.0.1.7:8080/TCP");
        int[] indexes = table.toBackendIndexes();
        for (int slot = 0; slot < table.size(); slot++) {
            assertThat(table.backendIndexAt(slot)).isEqualTo(indexes[slot]);
            assertThat(table.backendAt(slot)).isEqualTo(table.backends().get(indexes[slot]));
        }
        Map<String, Integer> counts = table.slotCounts();
        assertThat(counts.keySet()).containsExactlyElementsOf(table.backends());
        for (int i = 0; i < 3; i++) {
            int backend = i;
            assertThat(counts.get(table.backends().get(i))).isEqualTo((int) IntStream.of(indexes).filter(owner -> owner == backend).count());
        }
    }

    @Test
    void theTableCannotBeChangedFromOutside() {
        MaglevTable table = MaglevTable.build(List.of("a", "b"), 13, 0);
        int[] copy = table.toBackendIndexes();
        int before = table.backendIndexAt(0);
        copy[0] = 1 - before;
        assertThat(table.backendIndexAt(0)).isEqualTo(before);
        assertThatThrownBy(() -> table.backends().add("c")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> table.slotCounts().put("c", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void slotsOutsideTheTableAreRefused() {
        MaglevTable table = MaglevTable.build(List.of("a"), 13, 0);
        assertThatThrownBy(() -> table.backendIndexAt(13)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> table.backendAt(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void emptyTableHasItsSizeButNoOwners() {
        MaglevTable table = MaglevTable.build(List.of(), MaglevTable.DEFAULT_SIZE, 0);
        assertThat(table.size()).isEqualTo(MaglevTable.DEFAULT_SIZE);
        assertThat(table.isEmpty()).isTrue();
        assertThat(table.backends()).isEmpty();
        assertThat(table.slotCounts()).isEmpty();
        assertThat(table.backendIndexAt(0)).isEqualTo(MaglevTable.NO_BACKEND).isEqualTo(-1);
        assertThat(table.toBackendIndexes()).hasSize(MaglevTable.DEFAULT_SIZE).containsOnly(MaglevTable.NO_BACKEND);
        assertThatThrownBy(() -> table.backendAt(7))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Maglev table of size 16381 is empty: slot 7 has no backend");
    }

    @Test
    void smallestTables() {
        assertThat(MaglevTable.build(List.of("only"), 2, 0).toBackendIndexes()).containsExactly(0, 0);
        assertThat(MaglevTable.build(List.of(), 2, 0).toBackendIndexes()).containsExactly(-1, -1);
    }

    @Test
    void largeTableBuildsWellUnderASecondEvenCold() {
        // Usually a few milliseconds; the bound only catches an accidental quadratic loop.
        long start = System.nanoTime();
        MaglevTable table = MaglevTable.build(TestBackends.ids(1000), 65537, 0);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(table.slotCounts()).hasSize(1000);
        assertThat(millis).as("build of M=65537 N=1000 took %d ms", millis).isLessThan(1000);
    }
}
