package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the difference between desired and programmed for a set of keys, in dependency order,
 * recording each write in {@link MapContents} only once it succeeded. Whatever failed is kept,
 * with its error, and joins every later write until it succeeds.
 */
final class MapWriter {
    private static final Logger LOG = LoggerFactory.getLogger(MapWriter.class);

    private final ServiceMaps maps;
    private final DesiredMaps desired;
    private MapContents programmed;
    private final long seed;
    /** What failed and has not succeeded since, by entry, with the error. */
    private final Map<String, String> failing = new TreeMap<>();
    private final Touched failed = new Touched();
    private int writes;
    private boolean tableTrouble;

    MapWriter(ServiceMaps maps, DesiredMaps desired, MapContents programmed, long seed) {
        this.maps = maps;
        this.desired = desired;
        this.programmed = programmed;
        this.seed = seed;
    }

    /**
     * Forgets what was believed programmed and reads the maps instead. Values read back that
     * equal the desired ones are replaced by the desired instances: one copy in the heap.
     */
    void reread() {
        programmed = MapContents.read(maps);
        programmed.backends.replaceAll((id, value) -> {
            BackendValue wanted = desired.backends.winner(id);
            return value.equals(wanted) ? wanted : value;
        });
        programmed.services.replaceAll((id, value) -> value.equals(desired.services.get(id)) ? desired.services.get(id) : value);
        programmed.names.replaceAll((id, value) -> value.equals(desired.names.get(id)) ? desired.names.get(id) : value);
        programmed.frontends.replaceAll((key, value) -> {
            FrontendValue wanted = desired.frontends.winner(key);
            return value.equals(wanted) ? wanted : value;
        });
    }

    boolean hasFailures() {
        return !failing.isEmpty();
    }

    List<String> failures() {
        List<String> failures = new ArrayList<>(failing.size());
        failing.forEach((entry, error) -> failures.add("cannot program " + entry + ": " + error));
        return failures;
    }

    boolean programmedService(int id) {
        return programmed.services.containsKey(id) || programmed.tables.containsKey(id) || programmed.names.containsKey(id);
    }

    boolean programmedBackend(int id) {
        return programmed.backends.containsKey(id);
    }

    /** Null when the desired entries fit every map, else which map overflows and by how much. */
    String overflow() {
        return overflow("svc_backends", desired.backends.size(), maps.backends().capacity())
                .or(() -> overflow("svc_services", desired.services.size(), maps.services().capacity()))
                .or(() -> overflow("svc_frontends", desired.frontends.size(), maps.frontends().capacity()))
                .or(() -> overflow("svc_source_ranges", desired.sourceRanges.size(), maps.sourceRanges().capacity()))
                .orElse(null);
    }

    private static java.util.Optional<String> overflow(String map, int needed, int capacity) {
        return needed > capacity
                ? java.util.Optional.of(map + " needs " + needed + " entries, capacity " + capacity)
                : java.util.Optional.empty();
    }

    /** Every key desired or programmed: what a full reconcile compares. */
    Touched everyKey() {
        Touched all = new Touched();
        all.backends.addAll(desired.backends.keys());
        all.backends.addAll(programmed.backends.keySet());
        all.services.addAll(desired.services.keySet());
        all.services.addAll(programmed.services.keySet());
        all.services.addAll(programmed.tables.keySet());
        all.services.addAll(programmed.digests.keySet());
        all.services.addAll(programmed.names.keySet());
        all.frontends.addAll(desired.frontends.keys());
        all.frontends.addAll(programmed.frontends.keySet());
        all.sourceRanges.addAll(desired.sourceRanges);
        all.sourceRanges.addAll(programmed.sourceRanges.keySet());
        return all;
    }

    /** Brings these keys, and every key that failed before, to their desired content; the number of writes. */
    int write(Touched touched) {
        Touched keys = new Touched();
        keys.addAll(touched);
        keys.addAll(failed);
        failed.clear();
        // Every entry that failed before is among the keys: what does not fail again is resolved.
        failing.clear();
        writes = 0;

        put("backend", maps.backends(), programmed.backends, keys.backends, desired.backends::winner, id -> true,
                failed.backends);
        Map<Integer, TablePlan> growing = new LinkedHashMap<>();
        Map<Integer, TablePlan> shrinking = new LinkedHashMap<>();
        for (int id : keys.services) {
            TablePlan table = desired.tables.get(id);
            if (table != null && !Objects.equals(programmed.tables.get(id), table.digest())) {
                ServiceValue current = programmed.services.get(id);
                // The datapath indexes a table with its service's size: a table never shrinks below
                // the size its service still names, nor does a service name more slots than its table has.
                (current != null && current.maglevSize() > table.size() ? shrinking : growing).put(id, table);
            }
        }
        tableTrouble = false;
        installTables(growing);
        put("service", maps.services(), programmed.services, keys.services, desired.services::get, id -> {
            TablePlan table = desired.tables.get(id);
            return table == null || shrinking.containsKey(id) || Objects.equals(programmed.tables.get(id), table.digest());
        }, failed.services);
        installTables(shrinking);
        put("table digest", maps.tableDigests(), programmed.digests, keys.services, id -> {
            TablePlan table = desired.tables.get(id);
            return table != null && Objects.equals(programmed.tables.get(id), table.digest()) ? table.digest() : null;
        }, id -> true, failed.services);
        put("name of service", maps.names(), programmed.names, keys.services, desired.names::get, id -> true, failed.services);
        put("frontend", maps.frontends(), programmed.frontends, keys.frontends, desired.frontends::winner,
                key -> programmed.services.containsKey(desired.frontends.winner(key).serviceId()), failed.frontends);
        put("source range", maps.sourceRanges(), programmed.sourceRanges, keys.sourceRanges,
                range -> desired.sourceRanges.contains(range) ? (byte) 1 : null,
                range -> programmed.services.containsKey(range.serviceId()), failed.sourceRanges);

        delete("source range", maps.sourceRanges(), programmed.sourceRanges, keys.sourceRanges,
                range -> !desired.sourceRanges.contains(range), failed.sourceRanges);
        delete("frontend", maps.frontends(), programmed.frontends, keys.frontends,
                key -> desired.frontends.winner(key) == null, failed.frontends);
        Set<Integer> referenced = new java.util.HashSet<>();
        if (keys.services.stream().anyMatch(id -> programmed.services.containsKey(id) && !desired.services.containsKey(id))) {
            programmed.frontends.values().forEach(frontend -> referenced.add(frontend.serviceId()));
        }
        // A service a frontend still points to (its delete failed) stays until that frontend goes.
        delete("service", maps.services(), programmed.services, keys.services,
                id -> !desired.services.containsKey(id) && !referenced.contains(id), failed.services);
        referenced.stream().filter(id -> programmed.services.containsKey(id) && !desired.services.containsKey(id))
                .forEach(failed.services::add);
        removeTables(keys.services);
        delete("name of service", maps.names(), programmed.names, keys.services,
                id -> !desired.names.containsKey(id), failed.services);
        if (!tableTrouble) {
            // A table that could not be replaced may still name backends nothing else wants: they stay.
            delete("backend", maps.backends(), programmed.backends, keys.backends,
                    id -> desired.backends.claimants(id) == 0, failed.backends);
        } else {
            keys.backends.stream().filter(id -> desired.backends.claimants(id) == 0 && programmed.backends.containsKey(id))
                    .forEach(failed.backends::add);
        }
        return writes;
    }

    /**
     * Writes the keys whose desired value (null: none yet) differs from the programmed one, once
     * what they refer to is programmed; the others wait for a later write.
     */
    private <K, V> void put(String what, MapTable<K, V> map, Map<K, V> programmedMap, Collection<K> keys,
                            Function<K, V> desiredOf, java.util.function.Predicate<K> ready, Set<K> retry) {
        Map<K, V> puts = new LinkedHashMap<>();
        for (K key : keys) {
            V value = desiredOf.apply(key);
            if (value != null && !value.equals(programmedMap.get(key))) {
                if (ready.test(key)) {
                    puts.put(key, value);
                } else {
                    retry.add(key);
                }
            }
        }
        if (puts.isEmpty()) {
            return;
        }
        writes += puts.size();
        try {
            map.putAll(puts);
            programmedMap.putAll(puts);
            return;
        } catch (RuntimeException batchFailed) {
            // A batch that failed may have written any part: each entry again, alone, tells which.
            LOG.debug("batch write of {} {} entries failed, writing one by one: {}", puts.size(), what, batchFailed.getMessage());
        }
        puts.forEach((key, value) -> {
            try {
                map.put(key, value);
                programmedMap.put(key, value);
            } catch (RuntimeException e) {
                fail(what + " " + key, e, retry, key);
            }
        });
    }

    private <K, V> void delete(String what, MapTable<K, V> map, Map<K, V> programmedMap, Collection<K> keys,
                               java.util.function.Predicate<K> unwanted, Set<K> retry) {
        List<K> deletes = new ArrayList<>();
        for (K key : keys) {
            if (programmedMap.containsKey(key) && unwanted.test(key)) {
                deletes.add(key);
            }
        }
        if (deletes.isEmpty()) {
            return;
        }
        writes += deletes.size();
        try {
            map.deleteAll(deletes);
            deletes.forEach(programmedMap::remove);
            return;
        } catch (RuntimeException batchFailed) {
            LOG.debug("batch delete of {} {} entries failed, deleting one by one: {}", deletes.size(), what, batchFailed.getMessage());
        }
        for (K key : deletes) {
            try {
                map.delete(key);
                programmedMap.remove(key);
            } catch (RuntimeException e) {
                fail(what + " " + key, e, retry, key);
            }
        }
    }

    /**
     * Installs tables. A table's digest goes first, so that the digest map never vouches for a
     * table it does not describe, even if the agent dies half-way; it is written back after.
     */
    private void installTables(Map<Integer, TablePlan> tables) {
        if (tables.isEmpty()) {
            return;
        }
        List<Integer> stale = tables.keySet().stream().filter(programmed.digests::containsKey).toList();
        delete("table digest", maps.tableDigests(), programmed.digests, stale, id -> true, failed.services);
        Map<Integer, int[]> slots = new LinkedHashMap<>();
        tables.forEach((id, table) -> {
            boolean backendsReady = java.util.Arrays.stream(table.backendIds()).allMatch(programmed.backends::containsKey);
            if (!programmed.digests.containsKey(id) && backendsReady) {
                slots.put(id, table.slots(seed));
            } else {
                tableTrouble = true;
                failed.services.add(id);
            }
        });
        writes += slots.size();
        Map<Integer, RuntimeException> failures;
        try {
            failures = maps.putTables(slots);
        } catch (RuntimeException e) {
            failures = new HashMap<>();
            for (int id : slots.keySet()) {
                failures.put(id, e);
            }
        }
        for (int id : slots.keySet()) {
            RuntimeException error = failures.get(id);
            if (error == null) {
                programmed.tables.put(id, tables.get(id).digest());
            } else {
                tableTrouble = true;
                fail("table of service " + id, error, failed.services, id);
            }
        }
    }

    /** Removes the tables of these ids that no service wants: digest first, then the table. */
    private void removeTables(Collection<Integer> ids) {
        List<Integer> unwanted = ids.stream()
                .filter(id -> !desired.tables.containsKey(id))
                .filter(id -> {
                    ServiceValue service = programmed.services.get(id);
                    return service == null || service.maglevSize() == 0;
                })
                .filter(id -> programmed.tables.containsKey(id) || programmed.digests.containsKey(id))
                .toList();
        if (unwanted.isEmpty()) {
            return;
        }
        delete("table digest", maps.tableDigests(), programmed.digests, unwanted, id -> true, failed.services);
        List<Integer> removable = unwanted.stream()
                .filter(id -> programmed.tables.containsKey(id) && !programmed.digests.containsKey(id)).toList();
        if (removable.isEmpty()) {
            return;
        }
        writes += removable.size();
        try {
            maps.removeTables(removable);
            removable.forEach(programmed.tables::remove);
        } catch (RuntimeException e) {
            tableTrouble = true;
            removable.forEach(id -> fail("table of service " + id, e, failed.services, id));
        }
    }

    private <K> void fail(String entry, RuntimeException error, Set<K> retry, K key) {
        String message = error.getMessage() == null ? error.toString() : error.getMessage();
        failing.put(entry, message);
        LOG.error("cannot program {}: {}", entry, message);
        retry.add(key);
    }
}
