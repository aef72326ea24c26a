package dev.sluice.control.observe;

import java.util.Map;

/**
 * One reading of the datapath's counters.
 *
 * @param services per Service port; a Service that is gone must be absent, so its series leave /metrics
 * @param drops    packets the datapath dropped, by reason (e.g. {@code no_backend}), all Services together
 */
public record DatapathTraffic(Map<ServiceTrafficKey, ServiceTraffic> services, Map<String, Long> drops) {
    public static final DatapathTraffic EMPTY = new DatapathTraffic(Map.of(), Map.of());

    public DatapathTraffic {
        services = Map.copyOf(services);
        drops = Map.copyOf(drops);
    }
}
