package dev.sluice.control.sync;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Stable small ids for keys: a key keeps its id while it exists, and ids found in the maps at
 * start-up are adopted so a restarted agent names things as its predecessor did. New ids advance
 * through the id space and wrap, so a freed id is handed out again only after every other free
 * one: state the datapath keeps per id (affinity, counters, connections) has long gone by then.
 * Ids are freed only by {@link #retainOnly} after a sync, so an id never means two things within
 * one sync. Id 0 is never handed out: the datapath reads it as "none".
 */
final class IdAllocator<K> {
    private final Map<K, Integer> ids = new HashMap<>();
    private final BitSet used = new BitSet();
    private final int highest;
    private int next = 1;

    IdAllocator(int highest) {
        this.highest = highest;
    }

    void adopt(K key, int id) {
        ids.put(key, id);
        used.set(id);
        next = Math.max(next, id + 1);
    }

    int idOf(K key) {
        Integer known = ids.get(key);
        if (known != null) {
            return known;
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
        ids.put(key, id);
        return id;
    }

    /** The id of a key that has one, else null. */
    Integer find(K key) {
        return ids.get(key);
    }

    /** Forgets every key not in {@code live}; their ids come round again only after a full cycle. */
    Set<Integer> retainOnly(Set<K> live) {
        Set<Integer> freed = new java.util.HashSet<>();
        ids.entrySet().removeIf(entry -> {
            if (live.contains(entry.getKey())) {
                return false;
            }
            used.clear(entry.getValue());
            freed.add(entry.getValue());
            return true;
        });
        return freed;
    }

    /** Forgets one key, returning its id, or null when it had none. */
    Integer release(K key) {
        Integer id = ids.remove(key);
        if (id != null) {
            used.clear(id);
        }
        return id;
    }
}
