package dev.sluice.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ffm.testing.Fixtures;
import dev.sluice.ffm.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@KernelTest
class PerCpuMapTest {

    @Test
    void everyCpuHasItsOwnSlot() throws Exception {
        try (BpfObject object = Fixtures.loaderFixture()) {
            PerCpuBpfMap<Integer, Long> map = object.perCpuMap("fixture_percpu_hash", MapCodec.u32(), MapCodec.u64());
            int cpus = map.cpus();
            assertThat(cpus).isEqualTo(possibleCpusFromSysfs());
            List<Long> values = new ArrayList<>();
            for (int cpu = 0; cpu < cpus; cpu++) {
                values.add(1000L + cpu);
            }
            map.put(3, values);
            assertThat(map.lookup(3)).contains(values);
            assertThat(map.lookupBatch()).containsExactlyInAnyOrderEntriesOf(Map.of(3, values));
            assertThat(map.lookup(4)).isEmpty();
            assertThatThrownBy(() -> map.put(4, List.of(1L)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs " + cpus + " entries, got 1");
        }
    }

    /** Counts the ranges in /sys/devices/system/cpu/possible, e.g. "0-1" or "0,2-3". */
    private static int possibleCpusFromSysfs() throws java.io.IOException {
        int count = 0;
        for (String range : Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip().split(",")) {
            String[] bounds = range.split("-");
            count += bounds.length == 1 ? 1 : Integer.parseInt(bounds[1]) - Integer.parseInt(bounds[0]) + 1;
        }
        return count;
    }

    @Test
    void aPlainMapIsNotAPerCpuMap() {
        try (BpfObject object = Fixtures.loaderFixture()) {
            assertThatThrownBy(() -> object.perCpuMap("fixture_hash", MapCodec.u32(), MapCodec.u64()))
                    .isInstanceOf(MapLayoutException.class)
                    .hasMessageContaining("map 'fixture_hash' is HASH, not a per-CPU map");
        }
    }
}
