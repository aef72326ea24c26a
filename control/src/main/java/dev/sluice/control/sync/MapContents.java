package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import java.util.HashMap;
import java.util.Map;

/**
 * What the maps hold, as far as the reconciler knows: read once at start-up, then changed only
 * by writes that succeeded. A failed write leaves its entry as it was, so the next reconcile
 * sees the difference and tries again.
 */
final class MapContents {
    /** A table whose content nobody recorded: never equal to a plan's digest, so it is rewritten. */
    static final long UNKNOWN_TABLE = 0L;

    final Map<Integer, BackendValue> backends;
    final Map<Integer, ServiceValue> services;
    /** The digest of the table installed for each service id. */
    final Map<Integer, Long> tables;
    /** What svc_table_digests holds. */
    final Map<Integer, Long> digests;
    final Map<Integer, ServiceName> names;
    final Map<FrontendKey, FrontendValue> frontends;
    final Map<SourceRangeKey, Byte> sourceRanges;

    private MapContents(Map<Integer, BackendValue> backends, Map<Integer, ServiceValue> services, Map<Integer, Long> tables,
                        Map<Integer, Long> digests, Map<Integer, ServiceName> names,
                        Map<FrontendKey, FrontendValue> frontends, Map<SourceRangeKey, Byte> sourceRanges) {
        this.backends = backends;
        this.services = services;
        this.tables = tables;
        this.digests = digests;
        this.names = names;
        this.frontends = frontends;
        this.sourceRanges = sourceRanges;
    }

    /** Reads the maps. A table counts as known only when its digest was written after it. */
    static MapContents read(ServiceMaps maps) {
        Map<Integer, Long> digests = new HashMap<>(maps.tableDigests().entries());
        Map<Integer, Long> tables = new HashMap<>();
        for (int id : maps.tableIds()) {
            tables.put(id, digests.getOrDefault(id, UNKNOWN_TABLE));
        }
        return new MapContents(new HashMap<>(maps.backends().entries()), new HashMap<>(maps.services().entries()),
                tables, digests, new HashMap<>(maps.names().entries()), new HashMap<>(maps.frontends().entries()),
                new HashMap<>(maps.sourceRanges().entries()));
    }
}
