package dev.sluice.control.sync;

import java.util.Collection;
import java.util.Map;

/** One map as the reconciler reads and writes it: a kernel map, or a test double that fails on cue. */
public interface MapTable<K, V> {
    Map<K, V> entries();

    void put(K key, V value);

    void delete(K key);

    /** Writes every entry, in as few calls as the map allows; on failure any subset may be written. */
    default void putAll(Map<K, V> entries) {
        entries.forEach(this::put);
    }

    /** Deletes every key; absent keys are skipped; on failure any subset may be deleted. */
    default void deleteAll(Collection<K> keys) {
        keys.forEach(this::delete);
    }

    int capacity();
}
