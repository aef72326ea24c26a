package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Map contents with every id replaced by what it names (a service by its name, scope and family;
 * a backend by its address and port), so two reconcilers that numbered things differently can be
 * compared. Building it checks that nothing the datapath follows dangles: a frontend's service, a
 * table's backends and a service's table size must all be there.
 */
record RenderedMaps(Map<String, String> frontends, Map<String, String> services, Map<String, List<String>> tables,
                    TreeSet<String> backends, TreeSet<String> sourceRanges, int orphanTables) {

    static RenderedMaps of(InMemoryServiceMaps maps) {
        Map<Integer, String> serviceNames = new TreeMap<>();
        maps.names.content.forEach((id, name) -> serviceNames.put(id, describe(name)));
        Map<String, String> frontends = new TreeMap<>();
        maps.frontends.content.forEach((key, value) -> {
            if (!maps.services.content.containsKey(value.serviceId())) {
                throw new AssertionError("frontend " + describe(key) + " leads to service " + value.serviceId() + ", which is not programmed");
            }
            frontends.put(describe(key), kind(value) + " -> " + nameOf(serviceNames, value.serviceId()));
        });
        Map<String, String> services = new TreeMap<>();
        Map<String, List<String>> tables = new TreeMap<>();
        maps.services.content.forEach((id, value) -> {
            String name = nameOf(serviceNames, id);
            services.put(name, describe(value));
            int[] slots = maps.tables.get(id);
            if (value.maglevSize() > 0) {
                if (slots == null || slots.length != value.maglevSize()) {
                    throw new AssertionError("service " + name + " names " + value.maglevSize() + " slots; its table has "
                            + (slots == null ? "none" : slots.length));
                }
                List<String> rendered = new ArrayList<>(slots.length);
                for (int backend : slots) {
                    BackendValue b = maps.backends.content.get(backend);
                    if (b == null) {
                        throw new AssertionError("table of " + name + " names backend " + backend + ", which is not programmed");
                    }
                    rendered.add(describe(b));
                }
                tables.put(name, rendered);
            }
        });
        // A table no service names is garbage, not a hazard: counted, so that it must not last.
        int orphans = (int) maps.tables.keySet().stream().filter(id -> !maps.services.content.containsKey(id)).count();
        TreeSet<String> backends = new TreeSet<>();
        maps.backends.content.values().forEach(b -> backends.add(describe(b)));
        TreeSet<String> ranges = new TreeSet<>();
        maps.sourceRanges.content.keySet().forEach(r -> ranges.add(nameOf(serviceNames, r.serviceId()) + " "
                + r.address().getHostAddress() + "/" + r.prefixLength()));
        return new RenderedMaps(frontends, services, tables, backends, ranges, orphans);
    }

    private static String nameOf(Map<Integer, String> names, int id) {
        // Names are for people (the CLI), not the datapath: a missing one is rendered, not a hazard.
        return names.getOrDefault(id, "unnamed service " + id);
    }

    private static String describe(ServiceName name) {
        return name.display() + " v" + name.family();
    }

    private static String describe(FrontendKey key) {
        return key.address().getHostAddress() + ":" + key.port() + "/" + key.protocol();
    }

    private static String kind(FrontendValue value) {
        return "kind " + value.kind();
    }

    private static String describe(ServiceValue value) {
        return "flags " + value.flags() + " affinity " + value.affinityTimeoutSeconds() + " size " + value.maglevSize()
                + " backends " + value.backendCount();
    }

    private static String describe(BackendValue backend) {
        return backend.address().getHostAddress() + ":" + backend.port() + " flags " + backend.flags();
    }
}
