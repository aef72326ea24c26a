package dev.sluice.control.agent;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.DatapathConfig;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.ffm.BpfMap;
import dev.sluice.ffm.MapCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The agent's maps read the way the CLI reads them: opened from their pins, through the
 * datapath's codecs, with no loaded object of the test's own. Every read opens and closes.
 */
record PinnedMaps(Path directory) {
    static PinnedMaps under(Path bpffsRoot) {
        return new PinnedMaps(bpffsRoot.resolve("maps"));
    }

    boolean pinned(String map) {
        return Files.exists(directory.resolve(map));
    }

    private <K, V, R> R read(String map, MapCodec<K> key, MapCodec<V> value, Function<BpfMap<K, V>, R> reader) {
        try (BpfMap<K, V> opened = BpfMap.openPinned(directory.resolve(map), key, value)) {
            return reader.apply(opened);
        }
    }

    Map<FrontendKey, FrontendValue> frontends() {
        return read(DatapathMaps.FRONTENDS, FrontendKey.CODEC, FrontendValue.CODEC, BpfMap::lookupBatch);
    }

    Map<Integer, ServiceValue> services() {
        return read(DatapathMaps.SERVICES, MapCodec.u32(), ServiceValue.CODEC, BpfMap::lookupBatch);
    }

    Map<Integer, BackendValue> backends() {
        return read(DatapathMaps.BACKENDS, MapCodec.u32(), BackendValue.CODEC, BpfMap::lookupBatch);
    }

    Map<Integer, ServiceName> names() {
        return read(DatapathMaps.NAMES, MapCodec.u32(), ServiceName.CODEC, BpfMap::lookupBatch);
    }

    /** Service id by {@link ServiceName#display()}, e.g. "ns/web:http" or "ns/shop:http (local)". */
    Map<String, Integer> ids() {
        return names().entrySet().stream().collect(Collectors.toMap(e -> e.getValue().display(), Map.Entry::getKey));
    }

    /** The kernel id of the inner map holding a service's Maglev table. */
    Optional<Integer> maglevTable(int serviceId) {
        return read(DatapathMaps.MAGLEV, MapCodec.u32(), MapCodec.u32(), m -> m.lookup(serviceId));
    }

    int capacity(String map) {
        try (dev.sluice.ffm.MapHandle handle = dev.sluice.ffm.MapHandle.openPinned(directory.resolve(map))) {
            return handle.info().maxEntries();
        }
    }

    Optional<DatapathConfig> config() {
        return read(DatapathMaps.CONFIG, MapCodec.u32(), DatapathConfig.CODEC, m -> m.lookup(0));
    }
}
