package dev.sluice.control.ipvs;

import dev.sluice.control.model.FrontendKind;
import dev.sluice.control.model.ServicePortKey;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsService;
import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One IPVS virtual service as sluice wants it.
 *
 * @param owner the service port whose frontend this is
 * @param kind which frontend of that port
 * @param destinations real servers by {@link #destinationId}, configuration only (no stats)
 */
public record PlannedService(ServicePortKey owner, FrontendKind kind, IpvsService service,
                             Map<String, IpvsDestination> destinations) {
    public PlannedService {
        Objects.requireNonNull(owner, "planned IPVS service owner");
        Objects.requireNonNull(kind, "planned IPVS service " + owner + " kind");
        Objects.requireNonNull(service, "planned IPVS service " + owner + " service");
        destinations = Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
    }

    /** How a destination is named within its service: IPVS identifies one by address and port. */
    public static String destinationId(IpvsDestination destination) {
        return destination.endpoint();
    }

    /** Whether new connections can be scheduled: some destination has a weight. */
    public boolean hasEndpoints() {
        return destinations.values().stream().anyMatch(d -> d.weight() > 0);
    }

    public InetAddress address() {
        return service.key().address();
    }
}
