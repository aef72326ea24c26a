package dev.sluice.control.sync;

import dev.sluice.control.datapath.AffinityKey;
import dev.sluice.control.datapath.AffinityValue;
import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import dev.sluice.ffm.AbstractBpfMap;
import dev.sluice.ffm.BpfMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link ServiceMaps} over the kernel's maps: batch syscalls wherever the kernel has them. */
final class KernelServiceMaps implements ServiceMaps {
    private final DatapathMaps maps;
    private final MapTable<Integer, BackendValue> backends;
    private final MapTable<Integer, ServiceValue> services;
    private final MapTable<Integer, ServiceName> names;
    private final MapTable<FrontendKey, FrontendValue> frontends;
    private final MapTable<SourceRangeKey, Byte> sourceRanges;
    private final MapTable<Integer, Long> tableDigests;

    KernelServiceMaps(DatapathMaps maps) {
        this.maps = maps;
        backends = table(maps.backends());
        services = table(maps.services());
        names = table(maps.names());
        frontends = table(maps.frontends());
        sourceRanges = table(maps.sourceRanges());
        tableDigests = table(maps.tableDigests());
    }

    private static <K, V> MapTable<K, V> table(BpfMap<K, V> map) {
        return new MapTable<>() {
            @Override
            public Map<K, V> entries() {
                return map.lookupBatch();
            }

            @Override
            public void put(K key, V value) {
                map.put(key, value);
            }

            @Override
            public void delete(K key) {
                map.delete(key);
            }

            @Override
            public void putAll(Map<K, V> entries) {
                if (!entries.isEmpty()) {
                    map.updateBatch(entries);
                }
            }

            @Override
            public void deleteAll(Collection<K> keys) {
                if (!keys.isEmpty()) {
                    map.deleteBatch(keys);
                }
            }

            @Override
            public int capacity() {
                return map.info().maxEntries();
            }
        };
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
    public Map<Integer, RuntimeException> putTables(Map<Integer, int[]> tables) {
        return maps.putMaglevTables(tables);
    }

    @Override
    public void removeTables(Collection<Integer> serviceIds) {
        maps.removeMaglevTables(serviceIds);
    }

    @Override
    public Set<Integer> tableIds() {
        return new HashSet<>(maps.maglevTableIds());
    }

    @Override
    public void forget(Set<Integer> serviceIds, Set<Integer> backendIds) {
        if (serviceIds.isEmpty() && backendIds.isEmpty()) {
            return;
        }
        List<AffinityKey> stale = new ArrayList<>();
        for (Map.Entry<AffinityKey, AffinityValue> entry : maps.affinity().lookupBatch().entrySet()) {
            if (serviceIds.contains(entry.getKey().serviceId()) || backendIds.contains(entry.getValue().backendId())) {
                stale.add(entry.getKey());
            }
        }
        deleteAll(maps.affinity(), stale);
        deleteAll(maps.traffic(), serviceIds);
    }

    @Override
    public RememberedGenerations rememberedGenerations() {
        int service = 0;
        int backend = 0;
        for (AffinityValue value : maps.affinity().lookupBatch().values()) {
            service = unsignedMax(service, value.serviceGeneration());
            backend = unsignedMax(backend, value.backendGeneration());
        }
        return new RememberedGenerations(service, backend);
    }

    private static int unsignedMax(int a, int b) {
        return Integer.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static <K> void deleteAll(AbstractBpfMap<K, ?> map, Collection<K> keys) {
        if (!keys.isEmpty()) {
            map.deleteBatch(keys);
        }
    }
}
