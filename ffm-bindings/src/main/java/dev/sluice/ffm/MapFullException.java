package dev.sluice.ffm;

/** An insert refused because the map already holds {@code max_entries} entries. */
public final class MapFullException extends BpfException {
    private final String mapName;

    public MapFullException(String mapName, int maxEntries, int errno) {
        super("map '" + mapName + "' is full (max_entries " + maxEntries + ")", errno);
        this.mapName = mapName;
    }

    public String mapName() {
        return mapName;
    }
}
