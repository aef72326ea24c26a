package dev.sluice.ffm;

/**
 * The Java view of a map disagrees with the map in the kernel (key or value size, map type).
 * Raised before any syscall touches the map.
 */
public final class MapLayoutException extends BpfException {
    public MapLayoutException(String message) {
        super(message);
    }
}
