package dev.sluice.control.sync;

import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.ffm.MapHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * BPF map memory as the kernel accounts for it: the {@code memlock} line of each map's fdinfo
 * (the map's own memory-usage callback on 6.4+), for every pinned map and every inner table.
 */
record MapMemory(Map<String, Long> byMap, long tables, int tableCount) {

    static MapMemory of(Path pins, DatapathMaps maps) {
        Map<String, Long> byMap = new TreeMap<>();
        try (Stream<Path> files = Files.list(pins)) {
            for (Path pin : files.toList()) {
                try (MapHandle handle = MapHandle.openPinned(pin)) {
                    byMap.put(pin.getFileName().toString(), memlock(handle));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long tables = 0;
        int count = 0;
        for (int service : maps.maglevTableIds()) {
            Integer id = maps.maglevTableId(service).orElse(null);
            if (id == null) {
                continue;
            }
            try (MapHandle table = MapHandle.openById(id)) {
                tables += memlock(table);
                count++;
            }
        }
        return new MapMemory(byMap, tables, count);
    }

    long total() {
        return tables + byMap.values().stream().mapToLong(Long::longValue).sum();
    }

    String largest(int count) {
        return byMap.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(count)
                .map(e -> String.format(Locale.ROOT, "%s %.1f MiB", e.getKey(), e.getValue() / 1048576.0))
                .collect(Collectors.joining(", "));
    }

    private static long memlock(MapHandle handle) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + handle.fd()))) {
                if (line.startsWith("memlock:")) {
                    return Long.parseLong(line.substring("memlock:".length()).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no memlock in the fdinfo of map " + handle.name());
    }
}
