package dev.sluice.control.sync;

import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import java.util.Collection;
import java.util.Map;

/**
 * What the sync loop drives: one datapath's reconciler (eBPF maps or IPVS), brought to the
 * desired service ports. Not thread-safe: one call at a time.
 */
public interface ServiceProgrammer {
    /** Every service port, compared with everything programmed: the first sync. */
    SyncResult sync(Collection<ServicePort> ports);

    /** Only the changed service ports (null value: the port is gone). */
    SyncResult update(Map<ServicePortKey, ServicePort> changed);

    /** The periodic repair: every port compared with the datapath as read back. */
    SyncResult resync(Collection<ServicePort> ports);

    /** Failed writes again, nothing else changed. */
    SyncResult retry();

    /** "ebpf" or "ipvs", as /statusz and sluice_datapath_info name it. */
    String datapath();
}
