package dev.sluice.cli;

import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.ipvs.OwnedService;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceFlag;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The IPVS datapath in the records eBPF mode prints: the live kernel table joined with the
 * agent's state file, which says which virtual services are sluice's and what Service each is.
 * Only services the file lists are shown; the kernel's other services are not sluice's.
 */
final class IpvsViews {
    /** Frontends in eBPF mode's order: family, address bytes, port, protocol number. */
    private static final Comparator<IpvsServiceKey> ORDER = Comparator
            .comparingInt((IpvsServiceKey k) -> k.address().getAddress().length)
            .thenComparing(k -> k.address().getAddress(), Arrays::compareUnsigned)
            .thenComparingInt(IpvsServiceKey::port)
            .thenComparingInt(k -> k.protocol().number());
    private static final Comparator<IpvsDestination> DESTINATIONS = Comparator
            .comparingInt((IpvsDestination d) -> d.address().getAddress().length)
            .thenComparing(d -> d.address().getAddress(), Arrays::compareUnsigned)
            .thenComparingInt(IpvsDestination::port);

    private IpvsViews() {
    }

    /**
     * One entry per recorded virtual service, in frontend order. A recorded service the kernel
     * lacks is still listed, with no algorithm and no backend count (the table says "missing").
     */
    static List<Views.ServiceEntry> services(List<OwnedService> owned, List<IpvsTable.Entry> kernel) {
        Map<IpvsServiceKey, IpvsTable.Entry> live = new HashMap<>();
        kernel.forEach(entry -> live.put(entry.service().key(), entry));
        Map<IpvsServiceKey, OwnedService> byKey = new TreeMap<>(ORDER);
        owned.forEach(service -> byKey.put(service.key(), service));
        List<Views.ServiceEntry> entries = new ArrayList<>();
        byKey.forEach((key, service) -> entries.add(entry(service, live.get(key))));
        return entries;
    }

    private static Views.ServiceEntry entry(OwnedService owned, IpvsTable.Entry live) {
        int kind = kind(owned);
        IpvsServiceKey key = owned.key();
        Views.Frontend frontend = new Views.Frontend(Format.address(key.address()), key.port(),
                Format.protocol(key.protocol().number()), owned.family(), kind, Format.kind(kind));
        Views.Name name = new Views.Name(owned.namespace(), owned.name(), owned.portName(),
                owned.trafficLocal() ? "local" : "cluster", owned.family(), Format.protocol(key.protocol().number()),
                owned.display());
        String policy = owned.trafficLocal() ? "Local" : "Cluster";
        if (live == null) {
            return new Views.ServiceEntry(frontend, null, name, null, null, null, policy, null, null, null, null,
                    List.of());
        }
        IpvsService service = live.service();
        List<Views.ServiceBackend> backends = live.destinations().stream().sorted(DESTINATIONS)
                .map(IpvsViews::backend).toList();
        return new Views.ServiceEntry(frontend, null, name, null, schedulerFlags(service), service.scheduler(), policy,
                service.isPersistent() ? new Views.Affinity("ClientIP", service.persistenceTimeoutSeconds()) : null,
                null, null, backends.size(), backends);
    }

    /**
     * The scheduler's own flags as ipvsadm names them ({@code mh-port}, {@code sh-fallback}):
     * the two hashing schedulers read the same bits, other schedulers none.
     */
    static List<String> schedulerFlags(IpvsService service) {
        String scheduler = service.scheduler();
        if (!scheduler.equals("mh") && !scheduler.equals("sh")) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        if (service.flags().contains(IpvsServiceFlag.SCHED1)) {
            names.add(scheduler + "-fallback");
        }
        if (service.flags().contains(IpvsServiceFlag.SCHED2)) {
            names.add(scheduler + "-port");
        }
        return names;
    }

    private static Views.ServiceBackend backend(IpvsDestination destination) {
        Long active = destination.stats().map(s -> s.activeConnections()).orElse(null);
        Long inactive = destination.stats().map(s -> s.inactiveConnections()).orElse(null);
        return new Views.ServiceBackend(null, Format.address(destination.address()), destination.port(),
                Format.family(destination.address()), null, null, destination.weight() == 0, true, null,
                destination.weight(), active, inactive);
    }

    /**
     * One entry per real server (address and port) across the services listed, each use being one
     * virtual service with the weight it has there.
     */
    static List<Views.BackendEntry> backends(List<Views.ServiceEntry> services) {
        Map<String, List<Views.BackendUse>> uses = new LinkedHashMap<>();
        Map<String, Views.ServiceBackend> first = new TreeMap<>();
        Map<String, byte[]> sortKeys = new HashMap<>();
        for (Views.ServiceEntry service : services) {
            Views.Frontend f = service.frontend();
            String frontend = ServicesCommand.endpoint(f.address(), f.family(), f.port()) + "/" + f.protocol();
            for (Views.ServiceBackend backend : service.backends()) {
                String id = ServicesCommand.endpoint(backend.address(), backend.family(), backend.port());
                first.putIfAbsent(id, backend);
                sortKeys.putIfAbsent(id, sortKey(backend));
                uses.computeIfAbsent(id, k -> new ArrayList<>()).add(new Views.BackendUse(null,
                        service.service().display(), null, null, frontend, backend.weight()));
            }
        }
        List<String> order = new ArrayList<>(first.keySet());
        order.sort(Comparator.comparing(sortKeys::get, Arrays::compareUnsigned));
        List<Views.BackendEntry> entries = new ArrayList<>();
        for (String id : order) {
            Views.ServiceBackend backend = first.get(id);
            entries.add(new Views.BackendEntry(null, backend.address(), backend.port(), backend.family(), null, null,
                    uses.get(id)));
        }
        return entries;
    }

    /** Family, address bytes, then port: the order eBPF mode lists backends in is by id, which IPVS lacks. */
    private static byte[] sortKey(Views.ServiceBackend backend) {
        byte[] address = InetAddress.ofLiteral(backend.address()).getAddress();
        byte[] key = new byte[1 + address.length + 2];
        key[0] = (byte) address.length;
        System.arraycopy(address, 0, key, 1, address.length);
        key[key.length - 2] = (byte) (backend.port() >> 8);
        key[key.length - 1] = (byte) (int) backend.port();
        return key;
    }

    /** The frontend kind number eBPF mode prints for the same Service type. */
    static int kind(OwnedService owned) {
        return switch (owned.kind()) {
            case CLUSTER_IP -> FrontendValue.CLUSTER_IP;
            case NODE_PORT -> FrontendValue.NODE_PORT;
            case LOAD_BALANCER -> FrontendValue.LOAD_BALANCER;
            case EXTERNAL_IP -> FrontendValue.EXTERNAL_IP;
        };
    }

    /**
     * The entries a {@code --service} argument selects: {@code namespace/name} every frontend of
     * that Service, {@code namespace/name:port} those of that port name or, failing that, of that
     * port number. IPVS services have no ids.
     */
    static List<Views.ServiceEntry> select(List<Views.ServiceEntry> entries, String argument, String stateFile) {
        ServiceArgument wanted = ServiceArgument.parse(argument, "service '" + argument
                + "': on the IPVS datapath services have no ids; name one as namespace/name[:port]");
        String namespace = wanted.namespace();
        String name = wanted.name();
        String port = wanted.port();
        List<Views.ServiceEntry> byName = entries.stream()
                .filter(e -> e.service().namespace().equals(namespace) && e.service().name().equals(name)).toList();
        List<Views.ServiceEntry> selected = byName;
        if (port != null) {
            selected = byName.stream().filter(e -> e.service().port().equals(port)).toList();
            if (selected.isEmpty() && port.matches("\\d+")) {
                // As in eBPF mode: the Service ports with a frontend on that number, all their frontends.
                int number = Integer.parseInt(port);
                java.util.Set<String> names = new java.util.HashSet<>();
                byName.stream().filter(e -> e.frontend().port() == number).forEach(e -> names.add(e.service().port()));
                selected = byName.stream().filter(e -> names.contains(e.service().port())).toList();
            }
        }
        if (selected.isEmpty()) {
            throw new CliException(ExitCodes.NOT_FOUND, "no service " + argument + " in " + stateFile);
        }
        return selected;
    }
}
