package dev.sluice.ffm;

/** What the kernel says a map is. {@code id} is 0 when not yet known (a map not loaded yet). */
public record MapInfo(String name, MapType type, int keySize, int valueSize, int maxEntries,
                      int flags, int id) {
}
