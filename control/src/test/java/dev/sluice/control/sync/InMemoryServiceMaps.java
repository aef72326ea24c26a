package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import dev.sluice.ffm.BpfException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The service maps in the heap, for reconciles without a kernel, with failures injected on cue:
 * the Nth write from now, or every write to one map until healed. A batch writes entry by entry,
 * so a failure half-way leaves part of it written, as a kernel batch may.
 */
public final class InMemoryServiceMaps implements ServiceMaps {
    /** EIO, as a kernel map write that failed for reasons of its own. */
    private static final int EIO = 5;

    final Table<Integer, BackendValue> backends = new Table<>("svc_backends", 262144);
    final Table<Integer, ServiceValue> services = new Table<>("svc_services", 65536);
    final Table<Integer, ServiceName> names = new Table<>("svc_names", 65536);
    final Table<FrontendKey, FrontendValue> frontends = new Table<>("svc_frontends", 65536);
    final Table<SourceRangeKey, Byte> sourceRanges = new Table<>("svc_source_ranges", 16384);
    final Table<Integer, Long> tableDigests = new Table<>("svc_table_digests", 65536);
    final Map<Integer, int[]> tables = new HashMap<>();
    final Set<Integer> forgottenServices = new HashSet<>();
    final Set<Integer> forgottenBackends = new HashSet<>();
    /** What the datapath's affinity entries would name. */
    RememberedGenerations remembered = new RememberedGenerations(0, 0);
    /** Every successful write, by map: what a reconcile cost. */
    final Map<String, Integer> writes = new TreeMap<>();
    private long attempts;
    private long failAt = -1;
    private final Set<String> failing = new HashSet<>();

    /** The {@code n}th write from now (1 = the next) fails. */
    public void failNthWrite(long n) {
        failAt = attempts + n;
    }

    /** Every write to this map fails until {@link #heal}. */
    public void failEveryWriteTo(String map) {
        failing.add(map);
    }

    public void heal() {
        failing.clear();
        failAt = -1;
    }

    int totalWrites() {
        return writes.values().stream().mapToInt(Integer::intValue).sum();
    }

    void resetWriteCount() {
        writes.clear();
    }

    private void write(String map) {
        attempts++;
        if (attempts == failAt || failing.contains(map)) {
            throw new BpfException("injected failure writing " + map, EIO);
        }
        writes.merge(map, 1, Integer::sum);
    }

    final class Table<K, V> implements MapTable<K, V> {
        final String name;
        final int capacity;
        final Map<K, V> content = new LinkedHashMap<>();

        Table(String name, int capacity) {
            this.name = name;
            this.capacity = capacity;
        }

        @Override
        public Map<K, V> entries() {
            return new HashMap<>(content);
        }

        @Override
        public void put(K key, V value) {
            write(name);
            if (!content.containsKey(key) && content.size() >= capacity) {
                throw new BpfException(name + " is full", 7);
            }
            content.put(key, value);
        }

        @Override
        public void delete(K key) {
            write(name);
            content.remove(key);
        }

        @Override
        public int capacity() {
            return capacity;
        }
    }

    @Override
    public MapTable<Integer, BackendValue> backends() {
        return backends;
    }

    @Override
    public MapTable<Integer, ServiceValue> services() {
        return services;
    }

    @Override
    public MapTable<Integer, ServiceName> names() {
        return names;
    }

    @Override
    public MapTable<FrontendKey, FrontendValue> frontends() {
        return frontends;
    }

    @Override
    public MapTable<SourceRangeKey, Byte> sourceRanges() {
        return sourceRanges;
    }

    @Override
    public MapTable<Integer, Long> tableDigests() {
        return tableDigests;
    }

    @Override
    public Map<Integer, RuntimeException> putTables(Map<Integer, int[]> installs) {
        Map<Integer, RuntimeException> failures = new HashMap<>();
        installs.forEach((id, slots) -> {
            try {
                write("svc_maglev");
                tables.put(id, slots.clone());
            } catch (RuntimeException e) {
                failures.put(id, e);
            }
        });
        return failures;
    }

    @Override
    public void removeTables(Collection<Integer> serviceIds) {
        for (int id : serviceIds) {
            write("svc_maglev");
            tables.remove(id);
        }
    }

    @Override
    public Set<Integer> tableIds() {
        return new HashSet<>(tables.keySet());
    }

    @Override
    public void forget(Set<Integer> serviceIds, Set<Integer> backendIds) {
        forgottenServices.addAll(serviceIds);
        forgottenBackends.addAll(backendIds);
    }

    @Override
    public RememberedGenerations rememberedGenerations() {
        return remembered;
    }
}
