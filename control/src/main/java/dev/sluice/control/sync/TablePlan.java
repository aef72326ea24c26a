package dev.sluice.control.sync;

import dev.sluice.control.maglev.MaglevTable;
import dev.sluice.control.maglev.XxHash64;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A service's backend table, kept as what determines it (a few ids per backend) rather than its
 * slots: the slots are built only when the table must be written, so the heap never holds a copy
 * of every table. The digest names the content; stored beside the table, it lets a restarted
 * agent adopt a table that is already right.
 *
 * @param maglev a Maglev table of {@code size} slots; otherwise one slot per backend, for
 *     random selection
 * @param maglevIds the backends' Maglev ids, in the order of {@code backendIds}
 */
record TablePlan(boolean maglev, int size, List<String> maglevIds, int[] backendIds, long digest) {

    static TablePlan maglev(List<String> maglevIds, int[] backendIds, int size, long seed) {
        return new TablePlan(true, size, List.copyOf(maglevIds), backendIds, digest(true, size, seed, maglevIds, backendIds));
    }

    /** One slot per backend: random selection needs no more, and every node fills it alike. */
    static TablePlan random(List<String> maglevIds, int[] backendIds) {
        return new TablePlan(false, backendIds.length, List.copyOf(maglevIds), backendIds,
                digest(false, backendIds.length, 0, maglevIds, backendIds));
    }

    int backendCount() {
        return (int) java.util.Arrays.stream(backendIds).distinct().count();
    }

    /** The slots, as backend ids. */
    int[] slots(long seed) {
        if (!maglev) {
            return backendIds.clone();
        }
        MaglevTable table = MaglevTable.build(maglevIds, size, seed);
        java.util.Map<String, Integer> idByMaglevId = new java.util.HashMap<>(maglevIds.size() * 2);
        for (int i = 0; i < backendIds.length; i++) {
            idByMaglevId.put(maglevIds.get(i), backendIds[i]);
        }
        List<String> canonical = table.backends();
        int[] slots = new int[table.size()];
        for (int slot = 0; slot < slots.length; slot++) {
            slots[slot] = idByMaglevId.get(canonical.get(table.backendIndexAt(slot)));
        }
        return slots;
    }

    private static long digest(boolean maglev, int size, long seed, List<String> maglevIds, int[] backendIds) {
        StringBuilder text = new StringBuilder(maglevIds.size() * 24 + 32);
        text.append(maglev ? "maglev " : "random ").append(size).append(' ').append(seed);
        for (int i = 0; i < backendIds.length; i++) {
            text.append(' ').append(maglevIds.get(i)).append('=').append(backendIds[i]);
        }
        return XxHash64.hash(text.toString().getBytes(StandardCharsets.UTF_8), 0);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TablePlan that && digest == that.digest && size == that.size && maglev == that.maglev;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(digest);
    }
}
