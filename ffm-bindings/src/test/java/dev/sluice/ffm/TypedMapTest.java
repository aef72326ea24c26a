package dev.sluice.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ffm.testing.Fixtures;
import dev.sluice.ffm.testing.KernelTest;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@KernelTest
class TypedMapTest {
    private BpfObject object;
    private BpfMap<Integer, Long> hash;
    private BpfMap<Integer, Long> small;

    @BeforeEach
    void load() {
        object = Fixtures.loaderFixture();
        hash = object.map("fixture_hash", MapCodec.u32(), MapCodec.u64());
        small = object.map("fixture_small_hash", MapCodec.u32(), MapCodec.u64());
    }

    @AfterEach
    void close() {
        object.close();
    }

    @Test
    void missingKeyIsEmptyAndPutValuesReadBack() {
        assertThat(hash.lookup(42)).isEmpty();
        hash.put(42, 4200L);
        hash.put(-1, Long.MIN_VALUE);
        assertThat(hash.lookup(42)).contains(4200L);
        assertThat(hash.lookup(-1)).contains(Long.MIN_VALUE);
        hash.put(42, 4201L);
        assertThat(hash.lookup(42)).contains(4201L);
    }

    @Test
    void updateModesAreEnforcedByTheKernel() {
        hash.update(1, 10L, UpdateMode.NO_EXIST);
        assertThatThrownBy(() -> hash.update(1, 11L, UpdateMode.NO_EXIST))
                .isInstanceOfSatisfying(BpfException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.getMessage()).contains("fixture_hash");
                });
        assertThatThrownBy(() -> hash.update(2, 20L, UpdateMode.EXIST))
                .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOENT"));
        hash.update(1, 12L, UpdateMode.EXIST);
        assertThat(hash.lookup(1)).contains(12L);
        assertThat(hash.lookup(2)).isEmpty();
    }

    @Test
    void deleteReportsWhetherTheKeyWasThere() {
        hash.put(5, 50L);
        assertThat(hash.delete(5)).isTrue();
        assertThat(hash.delete(5)).isFalse();
        assertThat(hash.lookup(5)).isEmpty();
    }

    @Test
    void lookupAndDeleteReturnsWhatItDeleted() {
        hash.put(6, 60L);
        assertThat(hash.lookupAndDelete(6)).contains(60L);
        assertThat(hash.lookup(6)).isEmpty();
        assertThat(hash.lookupAndDelete(6)).isEmpty();
    }

    @Test
    void aFullMapRefusesTheNextKeyWithAnExceptionNamingTheMap() {
        for (int key = 0; key < 4; key++) {
            small.put(key, (long) key);
        }
        assertThatThrownBy(() -> small.put(99, 99L))
                .isInstanceOfSatisfying(MapFullException.class, full -> {
                    assertThat(full.mapName()).isEqualTo("fixture_small_hash");
                    assertThat(full.errnoName()).isEqualTo("E2BIG");
                    assertThat(full.getMessage()).contains("map 'fixture_small_hash' is full (max_entries 4)");
                });
        // Nothing already there was disturbed, and overwriting an existing key still works.
        assertThat(small.entries()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 0L, 1, 1L, 2, 2L, 3, 3L));
        small.put(3, 33L);
        assertThat(small.lookup(3)).contains(33L);
    }

    @Test
    void codecsOfTheWrongSizeAreRefusedBeforeAnySyscall() {
        MapHandle handle = object.mapHandle("fixture_hash");
        assertThatThrownBy(() -> new BpfMap<>(handle, MapCodec.u64(), MapCodec.u64()))
                .isInstanceOf(MapLayoutException.class)
                .hasMessage("map 'fixture_hash': key codec is 8 bytes but the map's key_size is 4");
        assertThatThrownBy(() -> new BpfMap<>(handle, MapCodec.u32(), MapCodec.u32()))
                .isInstanceOf(MapLayoutException.class)
                .hasMessage("map 'fixture_hash': value codec is 4 bytes but the map's value_size is 8");
        assertThatThrownBy(() -> object.map("fixture_percpu_hash", MapCodec.u32(), MapCodec.u64()))
                .isInstanceOf(MapLayoutException.class)
                .hasMessageContaining("PerCpuBpfMap");

        BpfMap<byte[], Long> raw = new BpfMap<>(handle, MapCodec.bytes(4), MapCodec.u64());
        assertThatThrownBy(() -> raw.put(new byte[] {1, 2, 3, 4, 5}, 1L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 4 bytes, got 5");
        assertThat(hash.keys()).isEmpty();
    }

    @Test
    void recordCodecsOverStructLayoutsRoundTrip() {
        record Pair(int low, int high) {
        }
        MemoryLayout layout = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("low"),
                ValueLayout.JAVA_INT.withName("high"));
        MapCodec<Pair> pairs = MapCodec.of(layout, (p, s) -> {
            s.set(ValueLayout.JAVA_INT, 0, p.low());
            s.set(ValueLayout.JAVA_INT, 4, p.high());
        }, s -> new Pair(s.get(ValueLayout.JAVA_INT, 0), s.get(ValueLayout.JAVA_INT, 4)));
        BpfMap<Integer, Pair> view = new BpfMap<>(object.mapHandle("fixture_hash"), MapCodec.u32(), pairs);
        view.put(7, new Pair(1, 2));
        assertThat(view.lookup(7)).contains(new Pair(1, 2));
        // The same bytes read as a little-endian u64: high word 2, low word 1.
        assertThat(hash.lookup(7)).contains((2L << 32) | 1L);
    }

    @Test
    void iterationAndBatchOperationsSeeTheSameEntries() {
        Map<Integer, Long> expected = new LinkedHashMap<>();
        IntStream.range(0, 1000).forEach(i -> expected.put(i * 7, (long) i * i));
        assertThat(hash.updateBatch(expected)).isEqualTo(1000);

        assertThat(hash.keys()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(hash.entries()).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(hash.lookupBatch(64)).containsExactlyInAnyOrderEntriesOf(expected);

        List<Integer> doomed = List.of(0, 7, 14, 123456);
        assertThat(hash.deleteBatch(doomed)).isEqualTo(3);
        expected.keySet().removeAll(doomed);
        assertThat(hash.lookupBatch()).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void batchUpdateIntoAFullMapStopsWithMapFull() {
        Map<Integer, Long> five = new LinkedHashMap<>();
        IntStream.range(0, 5).forEach(i -> five.put(i, (long) i));
        assertThatThrownBy(() -> small.updateBatch(five))
                .isInstanceOf(MapFullException.class)
                .hasMessageContaining("fixture_small_hash");
        assertThat(small.keys()).hasSize(4);
    }

    @Test
    void arrayMapsHaveEveryIndexAndRefuseOutOfRange() {
        BpfMap<Integer, Long> array = object.map("fixture_tc_packets", MapCodec.u32(), MapCodec.u64());
        assertThat(array.keys()).containsExactly(0, 1);
        array.put(1, 77L);
        assertThat(array.lookupBatch()).containsExactlyInAnyOrderEntriesOf(Map.of(0, 0L, 1, 77L));
        assertThatThrownBy(() -> array.put(2, 1L))
                .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.getMessage())
                        .contains("map 'fixture_tc_packets': index out of range (max_entries 2)"));
    }
}
