package dev.sluice.control.ipvs;

import dev.sluice.control.ipvs.FirewallPlan.FirewallFrontend;
import dev.sluice.control.ipvs.FirewallPlan.Hairpin;
import dev.sluice.control.model.Endpoint;
import dev.sluice.control.model.Frontend;
import dev.sluice.control.model.FrontendKind;
import dev.sluice.control.model.Protocol;
import dev.sluice.control.model.ServicePort;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceFlag;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Desired service ports to the IPVS state kube-proxy's IPVS mode would have. Pure: which
 * endpoints a frontend uses is what {@link ServicePort#endpointsFor} (kube-proxy's selection,
 * terminating fallback and traffic policies included) already decided; nothing is re-derived.
 *
 * <ul>
 *   <li>one virtual service per frontend, masquerading (NAT) destinations;</li>
 *   <li>selected endpoints get weight 1; terminating endpoints the selection left out stay with
 *       weight 0, so their established connections keep flowing while no new one is scheduled
 *       (what kube-proxy's graceful termination does with a removed destination);</li>
 *   <li>ClientIP affinity: the persistent flag with the affinity timeout, per client address;</li>
 *   <li>without affinity, mh hashes the client's port too ({@code mh-port}): hashing its address
 *       alone would send every connection of a client to one backend, an affinity the Service did
 *       not ask for and that the eBPF datapath's Maglev (which hashes the whole tuple) lacks;</li>
 *   <li>a frontend claimed by two ports goes to the older Service (as on the eBPF path).</li>
 * </ul>
 */
public final class IpvsPlanner {
    /** Weight of a destination new connections are scheduled to. */
    static final int WEIGHT = 1;

    private IpvsPlanner() {}

    /** @param scheduler the IPVS scheduler of every service: "mh" where the kernel has it, else "rr" */
    public static IpvsPlan plan(Collection<ServicePort> ports, String scheduler) {
        Objects.requireNonNull(scheduler, "IPVS scheduler");
        Map<IpvsServiceKey, PlannedService> services = new LinkedHashMap<>();
        Set<InetAddress> vips = new LinkedHashSet<>();
        List<FirewallFrontend> frontends = new ArrayList<>();
        Set<Hairpin> hairpins = new LinkedHashSet<>();
        List<String> conflicts = new ArrayList<>();
        for (ServicePort port : byAge(ports)) {
            for (Frontend frontend : port.frontends()) {
                IpvsServiceKey key = new IpvsServiceKey(frontend.address(), protocol(frontend.protocol()), frontend.port());
                PlannedService holder = services.get(key);
                if (holder != null) {
                    conflicts.add("frontend " + frontend + " of " + port.key() + " is already " + holder.owner()
                            + "'s (the older Service keeps it)");
                    continue;
                }
                PlannedService planned = service(port, frontend, key, scheduler);
                services.put(key, planned);
                if (frontend.kind() != FrontendKind.NODE_PORT) {
                    vips.add(frontend.address());
                }
                frontends.add(new FirewallFrontend(frontend.address(), frontend.port(), frontend.protocol(),
                        frontend.kind(), planned.hasEndpoints(), frontend.kind().external() && port.externalTrafficLocal(),
                        frontend.kind() == FrontendKind.LOAD_BALANCER ? port.loadBalancerSourceRanges() : List.of()));
            }
            for (Endpoint endpoint : port.endpoints()) {
                hairpins.add(new Hairpin(endpoint.address(), endpoint.port(), port.protocol()));
            }
        }
        return new IpvsPlan(services, vips, new FirewallPlan(frontends, List.copyOf(hairpins)), conflicts);
    }

    private static PlannedService service(ServicePort port, Frontend frontend, IpvsServiceKey key, String scheduler) {
        IpvsService service = port.affinityTimeoutSeconds() > 0
                ? IpvsService.persistent(key, scheduler, port.affinityTimeoutSeconds())
                : perConnection(key, scheduler);
        boolean local = frontend.kind().external() ? port.externalTrafficLocal() : port.internalTrafficLocal();
        Map<String, IpvsDestination> destinations = new LinkedHashMap<>();
        for (Endpoint endpoint : port.endpointsFor(frontend.kind())) {
            IpvsDestination destination = IpvsDestination.of(endpoint.address(), endpoint.port(), WEIGHT);
            destinations.putIfAbsent(PlannedService.destinationId(destination), destination);
        }
        for (Endpoint endpoint : port.endpoints()) {
            // Under Local policy a remote endpoint never carried this frontend's connections.
            if (endpoint.terminating() && (!local || endpoint.local())) {
                IpvsDestination draining = IpvsDestination.of(endpoint.address(), endpoint.port(), 0);
                destinations.putIfAbsent(PlannedService.destinationId(draining), draining);
            }
        }
        return new PlannedService(port.key(), frontend.kind(), service, destinations);
    }

    private static IpvsService perConnection(IpvsServiceKey key, String scheduler) {
        IpvsService service = IpvsService.of(key, scheduler);
        if (!scheduler.equals("mh")) {
            return service;
        }
        return new IpvsService(key, scheduler, Set.of(IpvsServiceFlag.SCHED2), service.persistenceTimeoutSeconds(),
                service.netmaskPrefixLength());
    }

    /** Oldest Service first (no creation time: last), then key order, so conflicts resolve as on the eBPF path. */
    private static List<ServicePort> byAge(Collection<ServicePort> ports) {
        return ports.stream()
                .filter(Objects::nonNull)
                .sorted(Comparator.comparing(ServicePort::created, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
                        .thenComparing(ServicePort::key))
                .toList();
    }

    static IpvsProtocol protocol(Protocol protocol) {
        return switch (protocol) {
            case TCP -> IpvsProtocol.TCP;
            case UDP -> IpvsProtocol.UDP;
            case SCTP -> IpvsProtocol.SCTP;
        };
    }
}
