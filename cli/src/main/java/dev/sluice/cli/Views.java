package dev.sluice.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.sluice.control.datapath.ServiceName;
import java.util.List;

/**
 * What {@code -o json} prints: plain records, one per entry, with the raw numbers of the maps
 * (ids, flags, kinds, nanoseconds) beside their readable forms so scripts need not re-derive them.
 * Addresses are strings (IPv6 in RFC 5952 form), ports and ids are host-order numbers.
 *
 * <p>The IPVS datapath fills the same records where a field means something there; what it has
 * not (ids, map flags, Maglev slots, locality) is null, and what only it has (weights, connection
 * counts, the frontend a use belongs to) is left out of eBPF output entirely.
 */
public final class Views {
    private Views() {
    }

    /** A svc_names entry. */
    @JsonPropertyOrder({"namespace", "name", "port", "scope", "family", "protocol", "display"})
    public record Name(String namespace, String name, String port, String scope, int family, String protocol,
                       String display) {
        static Name of(ServiceName name) {
            return name == null ? null : new Name(name.namespace(), name.name(), name.port(),
                    name.scope() == ServiceName.SCOPE_LOCAL ? "local" : "cluster", name.family(),
                    Format.protocol(name.protocol()), name.display());
        }
    }

    @JsonPropertyOrder({"address", "port", "protocol", "family", "kind", "type"})
    public record Frontend(String address, int port, String protocol, int family, int kind, String type) {
    }

    @JsonPropertyOrder({"mode", "timeoutSeconds"})
    public record Affinity(String mode, int timeoutSeconds) {
    }

    /**
     * A backend as one service's table uses it. On IPVS: terminating means weight 0 (draining:
     * established connections go on, no new one is scheduled).
     */
    @JsonPropertyOrder({"id", "address", "port", "family", "flags", "local", "terminating", "present", "slots",
        "weight", "activeConnections", "inactiveConnections"})
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ServiceBackend(Integer id, String address, Integer port, Integer family, Integer flags, Boolean local,
                                 boolean terminating, boolean present, Integer slots,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) Integer weight,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) Long activeConnections,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) Long inactiveConnections) {
        /** A backend of an eBPF service. */
        static ServiceBackend ebpf(int id, String address, Integer port, Integer family, int flags, boolean local,
                                   boolean terminating, boolean present, int slots) {
            return new ServiceBackend(id, address, port, family, flags, local, terminating, present, slots,
                    null, null, null);
        }
    }

    @JsonPropertyOrder({"frontend", "serviceId", "service", "flags", "flagNames", "algorithm", "trafficPolicy",
        "affinity", "sourceRanges", "maglevSize", "backendCount", "backends"})
    public record ServiceEntry(Frontend frontend, Integer serviceId, Name service, Integer flags, List<String> flagNames,
                               String algorithm, String trafficPolicy, Affinity affinity, List<String> sourceRanges,
                               Integer maglevSize, Integer backendCount, List<ServiceBackend> backends) {
    }

    /** One service using a backend; on IPVS one virtual service (frontend) with the backend's weight there. */
    @JsonPropertyOrder({"serviceId", "service", "slots", "tableSize", "frontend", "weight"})
    public record BackendUse(Integer serviceId, String service, Integer slots, Integer tableSize,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String frontend,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Integer weight) {
        static BackendUse ebpf(int serviceId, String service, int slots, int tableSize) {
            return new BackendUse(serviceId, service, slots, tableSize, null, null);
        }
    }

    @JsonPropertyOrder({"id", "address", "port", "family", "flags", "flagNames", "services"})
    public record BackendEntry(Integer id, String address, int port, int family, Integer flags, List<String> flagNames,
                               List<BackendUse> services) {
    }

    @JsonPropertyOrder({"backendId", "address", "port", "slots", "share"})
    public record MaglevBackend(int backendId, String address, Integer port, int slots, double share) {
    }

    @JsonPropertyOrder({"serviceId", "service", "tableSize", "configuredSize", "backendCount", "backends", "slots"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Maglev(int serviceId, Name service, int tableSize, Integer configuredSize, Integer backendCount,
                         List<MaglevBackend> backends, int[] slots) {
    }

    @JsonPropertyOrder({"address", "port"})
    public record Endpoint(String address, int port) {
    }

    @JsonPropertyOrder({"protocol", "family", "source", "destination", "direction", "state", "flags", "flagNames",
        "translation", "serviceId", "service", "backendId", "lastSeenNs", "ageNs", "age", "timeoutSeconds",
        "expired"})
    public record Connection(String protocol, int family, Endpoint source, Endpoint destination, String direction,
                             String state, int flags, List<String> flagNames, Translation translation, int serviceId,
                             String service, int backendId, long lastSeenNs, long ageNs, String age,
                             long timeoutSeconds, boolean expired) {
    }

    /** What the packets of an entry's direction are rewritten to. */
    @JsonPropertyOrder({"source", "destination"})
    public record Translation(Endpoint source, Endpoint destination) {
    }

    @JsonPropertyOrder({"client", "family", "serviceId", "service", "backendId", "backend", "lastUsedNs", "ageNs",
        "age", "timeoutSeconds", "expired"})
    public record AffinityEntry(String client, int family, int serviceId, String service, int backendId,
                                Endpoint backend, long lastUsedNs, long ageNs, String age, Integer timeoutSeconds,
                                Boolean expired) {
    }

    @JsonPropertyOrder({"serviceId", "service", "packets", "bytes"})
    public record Traffic(int serviceId, String service, long packets, long bytes) {
    }

    @JsonPropertyOrder({"code", "reason", "packets"})
    public record Drop(int code, String reason, long packets) {
    }

    @JsonPropertyOrder({"services", "drops"})
    public record Stats(List<Traffic> services, List<Drop> drops) {
    }
}
