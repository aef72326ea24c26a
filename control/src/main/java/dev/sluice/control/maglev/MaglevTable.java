package dev.sluice.control.maglev;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Maglev lookup table: M slots, each owned by one backend, built as in Eisenbud et al., NSDI 2016.
 *
 * <p>The table is a function of (set of backend ids, size, seed) alone: ids are deduplicated and
 * sorted by their UTF-8 bytes (see {@link CanonicalBackends}), then for each id
 * <pre>
 *   offset = xxh64(utf8(id), seed)                    mod M
 *   skip   = xxh64(utf8(id), seed ^ SKIP_SEED_TWEAK)  mod (M - 1) + 1    (unsigned 64-bit mod)
 * </pre>
 * and the standard population loop fills the slots ({@link MaglevPopulation}). Input order,
 * duplicates, the JVM and the machine do not change the result, so every node computes the same
 * table and a flow keeps its backend when the agent restarts or another node takes over.
 *
 * <p>Every backend owns floor(M/N) or ceil(M/N) slots. Removing or adding one backend moves
 * about 1/N of the slots, nearly all of them to or from that backend; a small number also move
 * between surviving backends (see MaglevDisruptionTest for measured figures). Disruption falls as
 * M/N grows; the paper recommends M well above 100 N.
 *
 * <p>With no backends the table is empty: {@link #size()} is still M, {@link #isEmpty()} is true,
 * {@link #backendIndexAt} returns {@link #NO_BACKEND} (what the datapath map holds for "drop"),
 * {@link #toBackendIndexes} is M times {@code NO_BACKEND}, and {@link #backendAt} throws
 * {@link IllegalStateException} since there is no id to return.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class MaglevTable {
    /** The largest prime below 2^14: about 16 slots per backend at 1000 backends, 64 KiB as int32. */
    public static final int DEFAULT_SIZE = 16381;

    /** Slot owner of every slot of an empty table. */
    public static final int NO_BACKEND = MaglevPopulation.NO_BACKEND;

    /**
     * Mixed into the seed for the skip hash so offset and skip come from two unrelated hashes, as
     * the paper requires. The 64-bit golden ratio; fixed forever, it is part of the table format.
     */
    public static final long SKIP_SEED_TWEAK = 0x9E3779B97F4A7C15L;

    private final int size;
    private final long seed;
    private final List<String> backends;
    private final int[] entries;
    private final Map<String, Integer> slotCounts;

    private MaglevTable(int size, long seed, List<String> backends, int[] entries) {
        this.size = size;
        this.seed = seed;
        this.backends = backends;
        this.entries = entries;
        this.slotCounts = countSlots(backends, entries);
    }

    /**
     * Builds the table for a set of backends.
     *
     * @param backendIds backend identities, e.g. {@code "10.0.1.5:8080/TCP"}; any order, duplicates
     *     ignored, no nulls, valid Unicode
     * @param size the number of slots M; must be prime and greater than the number of distinct ids
     * @param seed varies the table; every node must use the same seed for the same service
     * @throws IllegalArgumentException if size is not a prime, there are not fewer distinct ids
     *     than slots, or an id is not valid Unicode
     * @throws NullPointerException if backendIds or one of its ids is null
     */
    public static MaglevTable build(Collection<String> backendIds, int size, long seed) {
        Objects.requireNonNull(backendIds, "backendIds must not be null");
        requirePrimeSize(size);
        CanonicalBackends canonical = CanonicalBackends.of(backendIds);
        int count = canonical.size();
        if (count >= size) {
            throw new IllegalArgumentException("Maglev needs fewer backends than slots, got " + count
                    + " distinct backends for size " + size + "; use a larger prime size");
        }
        int[] offset = new int[count];
        int[] skip = new int[count];
        for (int i = 0; i < count; i++) {
            byte[] id = canonical.utf8()[i];
            offset[i] = (int) Long.remainderUnsigned(XxHash64.hash(id, seed), size);
            skip[i] = (int) Long.remainderUnsigned(XxHash64.hash(id, seed ^ SKIP_SEED_TWEAK), size - 1) + 1;
        }
        return new MaglevTable(size, seed, canonical.ids(), MaglevPopulation.populate(offset, skip, size));
    }

    /** Deterministic trial division: sizes are at most 2^31 - 1, so at most ~23,000 divisions. */
    public static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        if (n % 3 == 0) {
            return n == 3;
        }
        // Every prime above 3 is 6k - 1 or 6k + 1. d * d cannot overflow: the loop stops near 46341.
        for (int d = 5; d <= n / d; d += 6) {
            if (n % d == 0 || n % (d + 2) == 0) {
                return false;
            }
        }
        return true;
    }

    private static void requirePrimeSize(int size) {
        if (size < 2) {
            throw new IllegalArgumentException("Maglev table size must be a prime >= 2, got " + size);
        }
        // A composite M lets skip share a factor with M: that backend's list then misses slots,
        // the loop could spin forever and balance is lost.
        if (!isPrime(size)) {
            throw new IllegalArgumentException(
                    "Maglev table size must be prime, got " + size + " (e.g. " + DEFAULT_SIZE + " or 65537)");
        }
    }

    private static Map<String, Integer> countSlots(List<String> backends, int[] entries) {
        int[] counts = new int[backends.size()];
        for (int owner : entries) {
            if (owner != NO_BACKEND) {
                counts[owner]++;
            }
        }
        Map<String, Integer> byId = new LinkedHashMap<>();
        for (int i = 0; i < counts.length; i++) {
            byId.put(backends.get(i), counts[i]);
        }
        return Collections.unmodifiableMap(byId);
    }

    /** The number of slots M, also for an empty table. */
    public int size() {
        return size;
    }

    public long seed() {
        return seed;
    }

    /** True when built from no backends: no slot has an owner. */
    public boolean isEmpty() {
        return backends.isEmpty();
    }

    /** The distinct backend ids in canonical order (unsigned UTF-8 byte order); indexes refer to it. */
    public List<String> backends() {
        return backends;
    }

    /** Index into {@link #backends()} of the slot's owner, or {@link #NO_BACKEND} if empty. */
    public int backendIndexAt(int slot) {
        return entries[Objects.checkIndex(slot, size)];
    }

    /**
     * The id of the slot's owner.
     *
     * @throws IllegalStateException if the table is empty
     */
    public String backendAt(int slot) {
        int owner = backendIndexAt(slot);
        if (owner == NO_BACKEND) {
            throw new IllegalStateException("Maglev table of size " + size + " is empty: slot " + slot + " has no backend");
        }
        return backends.get(owner);
    }

    /** A copy of the whole table, slot to index into {@link #backends()}: what the datapath map holds. */
    public int[] toBackendIndexes() {
        return entries.clone();
    }

    /** Slots owned by each backend, in canonical order; empty for an empty table. */
    public Map<String, Integer> slotCounts() {
        return slotCounts;
    }

    @Override
    public String toString() {
        return "MaglevTable[size=" + size + ", seed=" + seed + ", backends=" + backends.size() + "]";
    }
}
