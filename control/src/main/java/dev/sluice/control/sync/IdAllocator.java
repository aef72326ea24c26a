package dev.sluice.control.sync;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Stable small ids for keys: a key keeps its id while it exists, and ids found in the maps at
 * start-up are adopted so a restarted agent names things as its predecessor did. Ids are freed
 * only by {@link #retainOnly} after a sync, so an id never means two things within one sync.
 * Id 0 is never handed out: the datapath reads it as "none".
 */
final class IdAllocator<K> {
    private final Map<K, Integer> ids = new HashMap<>();
    private final BitSet used = new BitSet();

    void adopt(K key, int id) {
        ids.put(key, id);
        used.set(id);
    }

    int idOf(K key) {
        return ids.computeIfAbsent(key, k -> {
            int id = used.nextClearBit(1);
            used.set(id);
            return id;
        });
    }

    /** Forgets every key not in {@code live}, making their ids reusable by later syncs. */
    void retainOnly(Set<K> live) {
        ids.entrySet().removeIf(entry -> {
            if (live.contains(entry.getKey())) {
                return false;
            }
            used.clear(entry.getValue());
            return true;
        });
    }
}
