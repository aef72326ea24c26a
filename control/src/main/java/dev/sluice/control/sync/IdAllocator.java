package dev.sluice.control.sync;

import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Stable small ids for keys: a key keeps its id while it exists, and ids found in the maps at
 * start-up are adopted so a restarted agent names things as its predecessor did. New ids advance
 * through the id space and wrap, so a freed id is handed out again only after every other free
 * one: state the datapath keeps per id (affinity, counters, connections) has long gone by then.
 * Ids are freed only by {@link #retainOnly} after a sync, so an id never means two things within
 * one sync. Id 0 is never handed out: the datapath reads it as "none".
 *
 * <p>Each time an id goes to a new key it comes with a new generation, which the datapath keeps
 * beside the id: state it made for the id's previous key (an affinity entry written after the id
 * was forgotten) names an older generation and is ignored. Generations come from one counter that
 * only grows, continued after a restart above the largest one the maps name; it skips 0 (the
 * datapath's "never assigned") and wraps only after 2^32 - 1 assignments, when state naming the
 * generation it reaches again has long expired.
 */
final class IdAllocator<K> {
    /** An id with the generation it was given to its key under; generation 0 until one is known. */
    private record Assignment(int id, int generation) {
    }

    private final Map<K, Assignment> assignments = new HashMap<>();
    private final BitSet used = new BitSet();
    private final int highest;
    private int next = 1;
    private int lastGeneration;

    IdAllocator(int highest) {
        this.highest = highest;
    }

    /**
     * Takes over an id and its generation from the maps. Generation 0 (none recorded) is replaced
     * by a new one when first asked for, after every adoption, so it cannot repeat an adopted one.
     */
    void adopt(K key, int id, int generation) {
        assignments.put(key, new Assignment(id, generation));
        used.set(id);
        next = Math.max(next, id + 1);
        reserveGenerationsThrough(generation);
    }

    /** New generations start above this one: state found in the maps may still name it. */
    void reserveGenerationsThrough(int generation) {
        if (Integer.compareUnsigned(generation, lastGeneration) > 0) {
            lastGeneration = generation;
        }
    }

    int idOf(K key) {
        Assignment known = assignments.get(key);
        if (known != null) {
            return known.id();
        }
        int id = used.nextClearBit(next);
        if (id > highest) {
            id = used.nextClearBit(1);
            if (id > highest) {
                throw new IllegalStateException("no free id left below " + highest);
            }
        }
        used.set(id);
        next = id + 1;
        assignments.put(key, new Assignment(id, nextGeneration()));
        return id;
    }

    /** The generation of the id this key holds; the key must hold one ({@link #idOf}). */
    int generationOf(K key) {
        Assignment assignment = assignments.get(key);
        if (assignment == null) {
            throw new IllegalArgumentException("no id for " + key);
        }
        if (assignment.generation() == 0) {
            assignment = new Assignment(assignment.id(), nextGeneration());
            assignments.put(key, assignment);
        }
        return assignment.generation();
    }

    private int nextGeneration() {
        lastGeneration++;
        if (lastGeneration == 0) {
            lastGeneration = 1;
        }
        return lastGeneration;
    }

    /** Forgets every key not in {@code live}; their ids come round again only after a full cycle. */
    Set<Integer> retainOnly(Set<K> live) {
        Set<Integer> freed = new HashSet<>();
        assignments.entrySet().removeIf(entry -> {
            if (live.contains(entry.getKey())) {
                return false;
            }
            used.clear(entry.getValue().id());
            freed.add(entry.getValue().id());
            return true;
        });
        return freed;
    }

    /** Forgets one key, returning its id, or null when it had none. */
    Integer release(K key) {
        Assignment assignment = assignments.remove(key);
        if (assignment == null) {
            return null;
        }
        used.clear(assignment.id());
        return assignment.id();
    }
}
