package dev.sluice.control.maglev;

/**
 * How two tables over the same slots differ when one backend left or joined.
 *
 * @param slots M
 * @param changed slots whose owner differs
 * @param ofChangedBackend slots the leaving backend owned before, or the joining one owns after
 * @param survivorMoves slots that went from one backend present in both tables to another; the
 *     part of the change a perfect scheme would not make
 * @param survivorSlots slots the changed backend owns in neither table, M - ofChangedBackend: the
 *     denominator for survivorMoves
 */
record Disruption(int slots, int changed, int ofChangedBackend, int survivorMoves, int survivorSlots) {

    /** changedBackend: the one that left (present only before) or joined (present only after). */
    static Disruption between(MaglevTable before, MaglevTable after, String changedBackend) {
        String[] old = TestBackends.owners(before);
        String[] now = TestBackends.owners(after);
        int changed = 0;
        int ofChangedBackend = 0;
        int survivorMoves = 0;
        int survivorSlots = 0;
        for (int slot = 0; slot < old.length; slot++) {
            boolean involvesChangedBackend = old[slot].equals(changedBackend) || now[slot].equals(changedBackend);
            if (involvesChangedBackend) {
                ofChangedBackend++;
            } else {
                survivorSlots++;
            }
            if (!old[slot].equals(now[slot])) {
                changed++;
                if (!involvesChangedBackend) {
                    survivorMoves++;
                }
            }
        }
        return new Disruption(old.length, changed, ofChangedBackend, survivorMoves, survivorSlots);
    }

    double changedFraction() {
        return (double) changed / slots;
    }

    double survivorMoveFraction() {
        return (double) survivorMoves / survivorSlots;
    }
}
