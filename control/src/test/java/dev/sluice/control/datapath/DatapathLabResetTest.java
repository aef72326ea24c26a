package dev.sluice.control.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ffm.MapHandle;
import dev.sluice.ffm.MapInfo;
import dev.sluice.ffm.MapType;
import dev.sluice.ffm.testing.KernelTest;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The datapath tests share one lab per class and trust {@link DatapathLab#reset()} to keep them
 * independent: after it, every map (found by walking the loaded objects, so a new map is included
 * unasked) and the node's namespace are as {@link DatapathLab#create()} left them.
 */
@KernelTest
class DatapathLabResetTest {
    /** BPF_F_INNER_MAP: the inner array may differ in size from the map-in-map's template. */
    private static final int INNER_MAP = 1 << 12;

    @Test
    void resetPutsEveryMapBackAsCreateLeftIt() {
        try (DatapathLab lab = DatapathLab.create()) {
            Map<String, Map<String, String>> created = contents(lab);
            List<MapHandle> inner = lab.datapath().allMaps().stream().map(DatapathLabResetTest::dirty).toList();
            try {
                for (MapHandle map : lab.datapath().allMaps()) {
                    assertThat(contents(map)).as("%s written", map.name()).isNotEqualTo(created.get(map.name()));
                }
                lab.reset();
            } finally {
                inner.forEach(handle -> {
                    if (handle != null) {
                        handle.close();
                    }
                });
            }
            assertThat(contents(lab)).isEqualTo(created);
        }
    }

    @Test
    void resetUndoesWhatTheTestsChangeInTheNodesNamespace() {
        try (DatapathLab lab = DatapathLab.create()) {
            lab.exec("ip", "link", "set", "eth0", "mtu", "9000");
            lab.exec("conntrack", "-I", "-p", "udp", "--timeout", "600", "-s", "198.18.2.21", "-d", "198.18.0.1",
                    "--sport", "5300", "--dport", "53", "-r", "198.18.0.1", "-q", "198.18.0.2",
                    "--reply-port-src", "53", "--reply-port-dst", "45300");
            assertThat(lab.exec("conntrack", "-L")).contains("dport=53");

            lab.reset();

            assertThat(lab.exec("ip", "-o", "link", "show", "eth0")).contains(" mtu 1500 ");
            assertThat(lab.exec("conntrack", "-L")).isBlank();
        }
    }

    @Test
    void aChangeResetCannotUndoFailsItByName() {
        try (DatapathLab lab = DatapathLab.create()) {
            lab.exec("ip", "route", "add", "198.18.60.0/24", "via", "198.18.0.3", "dev", "eth0");

            assertThatThrownBy(lab::reset).hasMessageContaining("+ 198.18.60.0/24 via 198.18.0.3 dev eth0");
        }
    }

    private static Map<String, Map<String, String>> contents(DatapathLab lab) {
        Map<String, Map<String, String>> all = new TreeMap<>();
        lab.datapath().allMaps().forEach(map -> all.put(map.name(), contents(map)));
        return all;
    }

    private static Map<String, String> contents(MapHandle map) {
        HexFormat hex = HexFormat.of();
        Map<String, String> entries = new TreeMap<>();
        if (map.info().type().perCpu()) {
            PristineMaps.perCpu(map).entries().forEach((key, values) -> entries.put(hex.formatHex(key),
                    String.join(",", values.stream().map(hex::formatHex).toList())));
        } else {
            PristineMaps.plain(map).entries().forEach((key, value) -> entries.put(hex.formatHex(key), hex.formatHex(value)));
        }
        return entries;
    }

    /** Writes one entry no test would, returning the inner map it created for a map-in-map (or null). */
    private static MapHandle dirty(MapHandle map) {
        MapInfo info = map.info();
        byte[] key = ones(info.keySize());
        if (info.type() == MapType.LPM_TRIE) {
            System.arraycopy(PristineMaps.slot(8), 0, key, 0, 4); // the prefix length comes first
        } else if (info.type().arrayLike()) {
            key = PristineMaps.slot(0);
        }
        if (info.type() == MapType.HASH_OF_MAPS) {
            MapHandle inner = MapHandle.create(MapType.ARRAY, "reset_test", 4, 4, 1, INNER_MAP);
            PristineMaps.plain(map).put(key, PristineMaps.slot(inner.fd()));
            return inner;
        }
        if (info.type().perCpu()) {
            PristineMaps.perCpu(map).put(key, Collections.nCopies(PristineMaps.perCpu(map).cpus(), ones(info.valueSize())));
        } else {
            PristineMaps.plain(map).put(key, ones(info.valueSize()));
        }
        return null;
    }

    private static byte[] ones(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 0x5a);
        return bytes;
    }
}
