package dev.sluice.cli;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One read of the service maps (frontends, services, backends, names, source ranges), with the
 * Maglev tables read on demand and kept, and the lookups every command shares.
 */
public final class Catalog {
    /** Frontends in a stable order: family, address bytes, port, protocol. */
    static final Comparator<FrontendKey> FRONTEND_ORDER = Comparator
            .comparingInt((FrontendKey k) -> k.address().getAddress().length)
            .thenComparing(k -> k.address().getAddress(), Arrays::compareUnsigned)
            .thenComparingInt(FrontendKey::port)
            .thenComparingInt(FrontendKey::protocol);

    private final PinnedMaps maps;
    private final Map<FrontendKey, FrontendValue> frontends = new TreeMap<>(FRONTEND_ORDER);
    private final Map<Integer, ServiceValue> services = new TreeMap<>(Integer::compareUnsigned);
    private final Map<Integer, BackendValue> backends = new TreeMap<>(Integer::compareUnsigned);
    private final Map<Integer, ServiceName> names = new TreeMap<>(Integer::compareUnsigned);
    private final Map<Integer, List<SourceRangeKey>> sourceRanges = new HashMap<>();
    private final Map<Integer, Optional<int[]>> tables = new HashMap<>();

    private Catalog(PinnedMaps maps) {
        this.maps = maps;
    }

    /** Reads every service map but the Maglev tables. */
    public static Catalog read(PinnedMaps maps) {
        Catalog catalog = new Catalog(maps);
        catalog.frontends.putAll(maps.frontends().lookupBatch());
        catalog.services.putAll(maps.services().lookupBatch());
        catalog.backends.putAll(maps.backends().lookupBatch());
        catalog.names.putAll(maps.names().lookupBatch());
        // LPM tries have no batch lookup: walk the keys.
        for (SourceRangeKey key : maps.sourceRanges().keys()) {
            catalog.sourceRanges.computeIfAbsent(key.serviceId(), id -> new ArrayList<>()).add(key);
        }
        return catalog;
    }

    /** Only the names, for commands that just label service ids. */
    public static Catalog namesOnly(PinnedMaps maps) {
        Catalog catalog = new Catalog(maps);
        catalog.names.putAll(maps.names().lookupBatch());
        return catalog;
    }

    public Map<FrontendKey, FrontendValue> frontends() {
        return frontends;
    }

    public Map<Integer, ServiceValue> services() {
        return services;
    }

    public Map<Integer, BackendValue> backends() {
        return backends;
    }

    public Map<Integer, ServiceName> names() {
        return names;
    }

    public Optional<ServiceName> name(int serviceId) {
        return Optional.ofNullable(names.get(serviceId));
    }

    /** "namespace/name:port", "(masquerade)" for id 0, or "-" when the id has no name. */
    public String label(int serviceId) {
        if (serviceId == 0) {
            return "(masquerade)";
        }
        ServiceName name = names.get(serviceId);
        return name == null ? "-" : name.display();
    }

    /** The source ranges of a service as CIDRs, sorted. */
    public List<String> sourceRanges(int serviceId) {
        TreeSet<String> cidrs = new TreeSet<>();
        for (SourceRangeKey key : sourceRanges.getOrDefault(serviceId, List.of())) {
            cidrs.add(Format.address(key.address()) + "/" + key.prefixLength());
        }
        return List.copyOf(cidrs);
    }

    /** The address family of a service: svc_names says, else its frontends do, else 0. */
    public int family(int serviceId) {
        ServiceName name = names.get(serviceId);
        if (name != null) {
            return name.family();
        }
        for (Map.Entry<FrontendKey, FrontendValue> frontend : frontends.entrySet()) {
            if (frontend.getValue().serviceId() == serviceId) {
                return Format.family(frontend.getKey().address());
            }
        }
        return 0;
    }


    /** A service's Maglev table (slot -> backend id), read once. */
    public Optional<int[]> table(int serviceId) {
        return tables.computeIfAbsent(serviceId, maps::maglevTable);
    }

    /** Backend id -> slots it holds in the service's table, ordered by backend id. */
    public Map<Integer, Integer> slotCounts(int serviceId) {
        Map<Integer, Integer> counts = new TreeMap<>(Integer::compareUnsigned);
        table(serviceId).ifPresent(slots -> {
            for (int backend : slots) {
                counts.merge(backend, 1, Integer::sum);
            }
        });
        return counts;
    }

    /**
     * The service ids a user's argument means: a number is an id; {@code namespace/name} every
     * id of that Service (families, ports, Local variants); {@code namespace/name:port} those with
     * that port name, or when none has it and the port is a number, those with a frontend on that
     * port. Empty when nothing matches.
     */
    public List<Integer> resolve(String argument) {
        String text = argument.strip();
        if (text.matches("\\d+")) {
            int id = Integer.parseUnsignedInt(text);
            return services.containsKey(id) || names.containsKey(id) ? List.of(id) : List.of();
        }
        ServiceArgument wanted = ServiceArgument.parse(text, "service '" + argument
                + "' is neither an id nor namespace/name[:port]");
        String namespace = wanted.namespace();
        String name = wanted.name();
        String port = wanted.port();
        List<Integer> byName = new ArrayList<>();
        names.forEach((id, n) -> {
            if (n.namespace().equals(namespace) && n.name().equals(name)) {
                byName.add(id);
            }
        });
        if (port == null) {
            return byName;
        }
        List<Integer> byPortName = byName.stream().filter(id -> names.get(id).port().equals(port)).toList();
        if (!byPortName.isEmpty() || !port.matches("\\d+")) {
            return byPortName;
        }
        int number = Integer.parseInt(port);
        TreeSet<Integer> byPortNumber = new TreeSet<>(Integer::compareUnsigned);
        frontends.forEach((key, value) -> {
            if (key.port() == number && byName.contains(value.serviceId())) {
                byPortNumber.add(value.serviceId());
            }
        });
        return List.copyOf(byPortNumber);
    }

    /** Exactly one service id for the argument, or a CliException listing the choices. */
    public int resolveOne(String argument) {
        List<Integer> ids = resolve(argument);
        if (ids.isEmpty()) {
            throw new CliException(ExitCodes.NOT_FOUND, "no service " + argument + " in " + maps.directory());
        }
        if (ids.size() > 1) {
            List<String> choices = ids.stream().map(id -> id + " (" + describe(id) + ")").toList();
            throw new CliException(ExitCodes.NOT_FOUND, "service " + argument + " is ambiguous, choose one of: "
                    + String.join(", ", choices));
        }
        return ids.getFirst();
    }

    private String describe(int id) {
        ServiceName name = names.get(id);
        if (name == null) {
            return "unnamed";
        }
        return name.display() + " IPv" + name.family() + " " + Format.protocol(name.protocol());
    }

    /** Every service id the filter argument means, or a CliException when it means none. */
    public List<Integer> resolveSome(String argument) {
        List<Integer> ids = resolve(argument);
        if (ids.isEmpty()) {
            throw new CliException(ExitCodes.NOT_FOUND, "no service " + argument + " in " + maps.directory());
        }
        return ids;
    }
}
