package dev.sluice.control.sync;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entries that several service ports may claim at once (a backend two services share; a frontend
 * two services ask for). Each key holds every claim; the first in claimant order wins, so the
 * winner never depends on the order in which claims arrived.
 */
final class Claims<K, C extends Comparable<C>, V> {
    private final Map<K, TreeMap<C, V>> claims = new HashMap<>();

    void claim(K key, C claimant, V value) {
        claims.computeIfAbsent(key, k -> new TreeMap<>()).put(claimant, value);
    }

    /** Withdraws a claim; true when the key has no claim left. */
    boolean withdraw(K key, C claimant) {
        TreeMap<C, V> of = claims.get(key);
        if (of == null) {
            return true;
        }
        of.remove(claimant);
        if (of.isEmpty()) {
            claims.remove(key);
            return true;
        }
        return false;
    }

    V winner(K key) {
        TreeMap<C, V> of = claims.get(key);
        return of == null ? null : of.firstEntry().getValue();
    }

    C winningClaimant(K key) {
        TreeMap<C, V> of = claims.get(key);
        return of == null ? null : of.firstKey();
    }

    /** Every claimant of a key, winner first. */
    java.util.List<C> claimantsOf(K key) {
        TreeMap<C, V> of = claims.get(key);
        return of == null ? java.util.List.of() : java.util.List.copyOf(of.keySet());
    }

    int claimants(K key) {
        TreeMap<C, V> of = claims.get(key);
        return of == null ? 0 : of.size();
    }

    java.util.Set<K> keys() {
        return claims.keySet();
    }

    int size() {
        return claims.size();
    }

    /** Every key with its winning value. */
    Map<K, V> winners() {
        Map<K, V> winners = new HashMap<>(claims.size() * 2);
        claims.forEach((key, of) -> winners.put(key, of.firstEntry().getValue()));
        return winners;
    }
}
