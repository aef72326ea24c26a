package dev.sluice.control.ipvs;

import dev.sluice.control.model.Cidr;
import dev.sluice.control.model.FrontendKind;
import dev.sluice.control.model.Protocol;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * What sluice's nftables table must do around IPVS, which does neither masquerade nor reject
 * nor filter sources by itself.
 *
 * @param frontends every frontend with a virtual service
 * @param hairpins endpoints that may reach themselves through a service: such flows are
 *     masqueraded, or the reply would bypass IPVS
 */
public record FirewallPlan(List<FirewallFrontend> frontends, List<Hairpin> hairpins) {
    public static final FirewallPlan EMPTY = new FirewallPlan(List.of(), List.of());

    public FirewallPlan {
        frontends = List.copyOf(frontends);
        hairpins = List.copyOf(hairpins);
    }

    /**
     * @param hasEndpoints false: new connections are refused (TCP reset, ICMP port unreachable)
     *     as kube-proxy does, instead of IPVS silently dropping them
     * @param externalLocal externalTrafficPolicy Local on an external frontend: the client's
     *     address is kept, so it is not masqueraded
     * @param sourceRanges LoadBalancer frontends only: when not empty, other sources are dropped
     */
    public record FirewallFrontend(InetAddress address, int port, Protocol protocol, FrontendKind kind,
                                   boolean hasEndpoints, boolean externalLocal, List<Cidr> sourceRanges) {
        public FirewallFrontend {
            Objects.requireNonNull(address, "firewall frontend address");
            Objects.requireNonNull(protocol, "firewall frontend " + address + " protocol");
            Objects.requireNonNull(kind, "firewall frontend " + address + " kind");
            sourceRanges = List.copyOf(sourceRanges);
        }
    }

    /** An endpoint address:port/protocol that, reaching itself, must be masqueraded. */
    public record Hairpin(InetAddress address, int port, Protocol protocol) {
        public Hairpin {
            Objects.requireNonNull(address, "hairpin address");
            Objects.requireNonNull(protocol, "hairpin " + address + " protocol");
        }
    }
}
