package dev.sluice.control.sync;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Entries that several service ports may claim at once (a backend two services share; a frontend
 * two services ask for). Each key holds every claim; the first in claimant order wins, so the
 * winner never depends on the order in which claims arrived. Nearly every key has one claim,
 * held without a tree: at 100,000 backends that is most of this structure's memory.
 */
final class Claims<K, C extends Comparable<C>, V> {
    private record One<C, V>(C claimant, V value) {}

    /** Per key a {@link One}, or a TreeMap of claimant to value when there are several. */
    private final Map<K, Object> claims = new HashMap<>();

    @SuppressWarnings("unchecked")
    void claim(K key, C claimant, V value) {
        Object held = claims.get(key);
        if (held == null || held instanceof One<?, ?> one && one.claimant().equals(claimant)) {
            claims.put(key, new One<>(claimant, value));
        } else if (held instanceof One<?, ?> one) {
            TreeMap<C, V> several = new TreeMap<>();
            several.put((C) one.claimant(), (V) one.value());
            several.put(claimant, value);
            claims.put(key, several);
        } else {
            ((TreeMap<C, V>) held).put(claimant, value);
        }
    }

    /** Withdraws a claim; true when the key has no claim left. */
    @SuppressWarnings("unchecked")
    boolean withdraw(K key, C claimant) {
        Object held = claims.get(key);
        if (held == null) {
            return true;
        }
        if (held instanceof One<?, ?> one) {
            if (one.claimant().equals(claimant)) {
                claims.remove(key);
                return true;
            }
            return false;
        }
        TreeMap<C, V> several = (TreeMap<C, V>) held;
        several.remove(claimant);
        if (several.size() == 1) {
            Map.Entry<C, V> last = several.firstEntry();
            claims.put(key, new One<>(last.getKey(), last.getValue()));
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    V winner(K key) {
        Object held = claims.get(key);
        if (held == null) {
            return null;
        }
        return held instanceof One<?, ?> one ? (V) one.value() : ((TreeMap<C, V>) held).firstEntry().getValue();
    }

    /** Every claimant of a key, winner first. */
    @SuppressWarnings("unchecked")
    List<C> claimantsOf(K key) {
        Object held = claims.get(key);
        if (held == null) {
            return List.of();
        }
        return held instanceof One<?, ?> one ? List.of((C) one.claimant()) : List.copyOf(((TreeMap<C, V>) held).keySet());
    }

    @SuppressWarnings("unchecked")
    int claimants(K key) {
        Object held = claims.get(key);
        if (held == null) {
            return 0;
        }
        return held instanceof One<?, ?> ? 1 : ((TreeMap<C, V>) held).size();
    }

    Set<K> keys() {
        return claims.keySet();
    }

    int size() {
        return claims.size();
    }

    /** Every key with its winning value. */
    Map<K, V> winners() {
        Map<K, V> winners = new HashMap<>(claims.size() * 2);
        claims.keySet().forEach(key -> winners.put(key, winner(key)));
        return winners;
    }
}
