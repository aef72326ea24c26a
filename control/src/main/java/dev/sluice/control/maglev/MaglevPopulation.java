package dev.sluice.control.maglev;

import java.util.Arrays;

/**
 * The population loop of Maglev (Eisenbud et al., "Maglev: A Fast and Reliable Software Network
 * Load Balancer", NSDI 2016, Pseudocode 1), on primitive arrays.
 *
 * <p>Backend {@code i}'s preference list is {@code (offset[i] + j * skip[i]) mod M} for
 * {@code j = 0, 1, ...}; backends take turns in index order, each claiming the first slot of its
 * list not yet taken, until all M slots are taken. Taking turns is what gives every backend
 * floor(M/N) or ceil(M/N) slots. Instead of the paper's {@code next[i]} counter we keep the slot
 * it points at and step it by {@code skip[i]}, so there is no multiplication or modulo per probe.
 */
final class MaglevPopulation {
    static final int NO_BACKEND = -1;

    private MaglevPopulation() {}

    /**
     * @param offset per backend, in [0, size)
     * @param skip per backend, in [1, size); with size prime every list visits every slot once
     * @return slot to backend index; all {@link #NO_BACKEND} when there are no backends
     */
    static int[] populate(int[] offset, int[] skip, int size) {
        int backends = offset.length;
        int[] entry = new int[size];
        Arrays.fill(entry, NO_BACKEND);
        if (backends == 0) {
            return entry;
        }
        int[] candidate = offset.clone();
        int filled = 0;
        while (true) {
            for (int i = 0; i < backends; i++) {
                int slot = candidate[i];
                int step = skip[i];
                // Terminates: the list is a full cycle over the slots and one is still free.
                while (entry[slot] != NO_BACKEND) {
                    slot = advance(slot, step, size);
                }
                entry[slot] = i;
                candidate[i] = advance(slot, step, size);
                if (++filled == size) {
                    return entry;
                }
            }
        }
    }

    /** (slot + step) mod size without overflowing int for sizes above 2^30. */
    private static int advance(int slot, int step, int size) {
        int untilWrap = size - step;
        return slot >= untilWrap ? slot - untilWrap : slot + step;
    }
}
