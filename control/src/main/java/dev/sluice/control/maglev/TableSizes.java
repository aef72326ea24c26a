package dev.sluice.control.maglev;

import java.util.List;

/**
 * The Maglev table sizes every node chooses from. A table's size follows from its backend count
 * alone, through this fixed list, so two nodes with the same backends build the same table and
 * a flow keeps its backend whichever node it reaches.
 */
public final class TableSizes {
    /** Primes near powers of two, as the Maglev paper and Cilium use. */
    public static final List<Integer> PRIMES = List.of(251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071);
    /** Slots per backend that keep every backend's share within about 1% of the mean (Maglev, section 5.3). */
    public static final int SLOTS_PER_BACKEND = 100;
    public static final int DEFAULT_MAX = 16381;

    private TableSizes() {}

    /** The smallest listed size with {@value #SLOTS_PER_BACKEND} slots per backend, at most {@code max}. */
    public static int forBackends(int backends, int max) {
        long wanted = (long) backends * SLOTS_PER_BACKEND;
        for (int size : PRIMES) {
            if (size >= wanted || size >= max) {
                return Math.min(size, max);
            }
        }
        return max;
    }

    /** Whether a table of this size spreads these backends evenly within about 1%. */
    public static boolean balanced(int backends, int size) {
        return (long) backends * SLOTS_PER_BACKEND <= size;
    }
}
