package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * The maps that describe services, as the {@link Reconciler} owns them: it alone writes them, so
 * what it believes programmed is what they hold.
 */
public interface ServiceMaps {
    MapTable<Integer, BackendValue> backends();

    MapTable<Integer, ServiceValue> services();

    MapTable<Integer, ServiceName> names();

    MapTable<FrontendKey, FrontendValue> frontends();

    MapTable<SourceRangeKey, Byte> sourceRanges();

    /** What each installed table holds, by {@link TablePlan#digest()}. */
    MapTable<Integer, Long> tableDigests();

    /** Installs each table so that readers see the old or the new one whole; the failures by service id. */
    Map<Integer, RuntimeException> putTables(Map<Integer, int[]> tables);

    void removeTables(Collection<Integer> serviceIds);

    /** The service ids that have a table installed. */
    Set<Integer> tableIds();

    /**
     * Deletes what the datapath keeps per service id or backend id (ClientIP affinity, traffic
     * counters), for ids that no longer name anything: the next owner of an id starts clean.
     */
    void forget(Set<Integer> serviceIds, Set<Integer> backendIds);

    /**
     * The largest service and backend generations (unsigned) that the datapath's per-id state
     * names: an affinity entry can outlive its service and backend (written after {@link #forget},
     * or left by an agent that stopped before it), and a restarted agent must not hand out its
     * generations again.
     */
    RememberedGenerations rememberedGenerations();

    /** The largest generations per-id state names; 0 where it names none. */
    record RememberedGenerations(int service, int backend) {
    }

    static ServiceMaps of(DatapathMaps maps) {
        return new KernelServiceMaps(maps);
    }
}
