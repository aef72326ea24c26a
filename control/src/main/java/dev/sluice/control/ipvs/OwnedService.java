package dev.sluice.control.ipvs;

import dev.sluice.control.model.FrontendKind;
import dev.sluice.control.model.ServicePort;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * One IPVS virtual service sluice owns, as the state file records it: the kernel's key, the
 * Kubernetes service port it stands for, and the settings sluice chose. IPVS has no owner field,
 * so this record is what tells sluice's services (NodePorts included, which are on node addresses
 * rather than the dummy link) from anyone else's after a restart, at {@code --cleanup}, and for the CLI.
 *
 * @param portName the Service port's name, "" when unnamed
 * @param kind ClusterIP, NodePort, LoadBalancer or ExternalIP: which frontend of the port this is
 * @param affinityTimeoutSeconds ClientIP affinity's timeout, 0 without affinity
 */
public record OwnedService(IpvsServiceKey key, String namespace, String name, String portName, FrontendKind kind,
                           String scheduler, int affinityTimeoutSeconds, boolean externalTrafficLocal,
                           boolean internalTrafficLocal) {
    /** Stable file order: family, address bytes, protocol, port. */
    static final Comparator<OwnedService> ORDER = Comparator
            .comparingInt((OwnedService s) -> s.key().address().getAddress().length)
            .thenComparing(s -> s.key().address().getAddress(), Arrays::compareUnsigned)
            .thenComparing(s -> s.key().protocol())
            .thenComparingInt(s -> s.key().port());

    public OwnedService {
        Objects.requireNonNull(key, "owned IPVS service key");
        Objects.requireNonNull(namespace, "owned IPVS service " + key + " namespace");
        Objects.requireNonNull(name, "owned IPVS service " + key + " name");
        Objects.requireNonNull(portName, "owned IPVS service " + key + " portName");
        Objects.requireNonNull(kind, "owned IPVS service " + key + " kind");
        Objects.requireNonNull(scheduler, "owned IPVS service " + key + " scheduler");
        if (affinityTimeoutSeconds < 0) {
            throw new IllegalArgumentException("owned IPVS service " + key + ": affinityTimeoutSeconds "
                    + affinityTimeoutSeconds + " is negative");
        }
    }

    /** What the planner decided for one frontend of {@code port}. */
    static OwnedService of(PlannedService planned, ServicePort port) {
        return new OwnedService(planned.service().key(), port.name().namespace(), port.name().name(),
                port.name().port(), planned.kind(), planned.service().scheduler(),
                planned.service().isPersistent() ? planned.service().persistenceTimeoutSeconds() : 0,
                port.externalTrafficLocal(), port.internalTrafficLocal());
    }

    /** {@code namespace/name:port}, or {@code namespace/name} for an unnamed port, as kube-proxy names it. */
    public String display() {
        return portName.isEmpty() ? namespace + "/" + name : namespace + "/" + name + ":" + portName;
    }

    public int family() {
        return key.address() instanceof Inet4Address ? 4 : 6;
    }

    public InetAddress address() {
        return key.address();
    }

    public IpvsProtocol protocol() {
        return key.protocol();
    }

    /** Whether the traffic policy that applies to this frontend (ETP for external kinds, ITP else) is Local. */
    public boolean trafficLocal() {
        return kind.external() ? externalTrafficLocal : internalTrafficLocal;
    }

    /** The Service type a frontend kind is written as. */
    public static String kindName(FrontendKind kind) {
        return switch (kind) {
            case CLUSTER_IP -> "ClusterIP";
            case NODE_PORT -> "NodePort";
            case LOAD_BALANCER -> "LoadBalancer";
            case EXTERNAL_IP -> "ExternalIP";
        };
    }
}
