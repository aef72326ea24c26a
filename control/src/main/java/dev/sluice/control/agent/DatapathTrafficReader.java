package dev.sluice.control.agent;

import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.DropReason;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.TrafficCounter;
import dev.sluice.control.observe.DatapathTraffic;
import dev.sluice.control.observe.ServiceTraffic;
import dev.sluice.control.observe.ServiceTrafficKey;
import dev.sluice.control.observe.ServiceTrafficReader;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-service packets and bytes summed over CPUs and views (a service port's Local and Cluster
 * views count as the one port), and datapath drops by reason, read at scrape time.
 */
public final class DatapathTrafficReader implements ServiceTrafficReader {
    private final DatapathMaps maps;

    public DatapathTrafficReader(DatapathMaps maps) {
        this.maps = maps;
    }

    @Override
    public DatapathTraffic read() {
        Map<Integer, ServiceName> names = maps.names().lookupBatch();
        Map<ServiceTrafficKey, ServiceTraffic> services = new HashMap<>();
        maps.traffic().lookupBatch().forEach((id, perCpu) -> {
            ServiceName name = names.get(id);
            if (name == null) {
                return;
            }
            TrafficCounter total = perCpu.stream().reduce(new TrafficCounter(0, 0), TrafficCounter::plus);
            services.merge(new ServiceTrafficKey(name.namespace(), name.name(), name.port()),
                    new ServiceTraffic(total.packets(), total.bytes()),
                    (a, b) -> new ServiceTraffic(a.packets() + b.packets(), a.bytes() + b.bytes()));
        });
        Map<String, Long> drops = new HashMap<>();
        maps.drops().lookupBatch().forEach((reason, perCpu) -> {
            if (reason < DropReason.values().length) {
                drops.put(DropReason.values()[reason].label(), perCpu.stream().mapToLong(Long::longValue).sum());
            }
        });
        return new DatapathTraffic(services, drops);
    }
}
