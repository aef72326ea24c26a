package dev.sluice.cli;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code sluice services}: one row per frontend, its service's settings, and the backends beneath. */
@Command(name = "services", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Frontends, their services and backends.",
        description = "One row per frontend (address:port/protocol) with its Service type, the service it "
                + "belongs to, the backend algorithm and flags (ETP/ITP Local, ClientIP affinity and its timeout, "
                + "source ranges), and beneath it the service's backends with their state and Maglev slot counts. "
                + "On the IPVS datapath (see 'sluice --help' for how it is detected): one row per virtual service "
                + "sluice owns, read live from the kernel, the algorithm being the IPVS scheduler, and beneath it "
                + "the real servers with their weight (0: terminating, draining) and active/inactive connections; "
                + "ids, map flags, source ranges and Maglev slots do not exist there and are null in JSON.")
final class ServicesCommand implements Runnable {
    @ParentCommand
    Sluice root;

    @Mixin
    OutputOptions output;

    @Option(names = "--service", paramLabel = "ID|NS/NAME[:PORT]", description = "Only this service.")
    String service;

    @Option(names = "--no-backends", description = "Leave out the backend lines of the table.")
    boolean noBackends;

    @Override
    public void run() {
        if (root.ipvsMode()) {
            String stateFile = root.ipvsState().path().toString();
            List<Views.ServiceEntry> entries = IpvsViews.services(root.ipvsOwned(), IpvsTable.read(stateFile));
            print(service == null ? entries : IpvsViews.select(entries, service, stateFile));
            return;
        }
        try (PinnedMaps maps = root.maps()) {
            Catalog catalog = Catalog.read(maps);
            List<Integer> only = service == null ? null : catalog.resolveSome(service);
            List<Views.ServiceEntry> entries = new ArrayList<>();
            catalog.frontends().forEach((key, value) -> {
                if (only == null || only.contains(value.serviceId())) {
                    entries.add(entry(catalog, key, value));
                }
            });
            print(entries);
        }
    }

    private void print(List<Views.ServiceEntry> entries) {
        PrintWriter out = root.spec.commandLine().getOut();
        if (output.json()) {
            Sluice.printJson(out, entries);
        } else {
            out.print(table(entries, !noBackends));
            out.flush();
        }
    }

    static Views.ServiceEntry entry(Catalog catalog, FrontendKey key, FrontendValue value) {
        int id = value.serviceId();
        Views.Frontend frontend = new Views.Frontend(Format.address(key.address()), key.port(),
                Format.protocol(key.protocol()), Format.family(key.address()), value.kind(), Format.kind(value.kind()));
        ServiceName name = catalog.names().get(id);
        ServiceValue service = catalog.services().get(id);
        if (service == null) {
            // A frontend whose service is gone: the datapath passes its traffic untouched.
            return new Views.ServiceEntry(frontend, id, Views.Name.of(name), null, List.of(), null, null, null,
                    List.of(), null, null, List.of());
        }
        List<Views.ServiceBackend> backends = new ArrayList<>();
        catalog.slotCounts(id).forEach((backendId, slots) -> backends.add(backend(catalog, backendId, slots)));
        return new Views.ServiceEntry(frontend, id, Views.Name.of(name), service.flags(), flagNames(service.flags()),
                service.has(ServiceValue.F_RANDOM) ? "random" : "maglev", trafficPolicy(name, service),
                service.has(ServiceValue.F_AFFINITY)
                        ? new Views.Affinity("ClientIP", service.affinityTimeoutSeconds()) : null,
                catalog.sourceRanges(id), service.maglevSize(), service.backendCount(), backends);
    }

    private static Views.ServiceBackend backend(Catalog catalog, int id, int slots) {
        BackendValue backend = catalog.backends().get(id);
        if (backend == null) {
            return Views.ServiceBackend.ebpf(id, null, null, null, 0, false, false, false, slots);
        }
        return Views.ServiceBackend.ebpf(id, Format.address(backend.address()), backend.port(),
                Format.family(backend.address()), backend.flags(), (backend.flags() & BackendValue.F_LOCAL) != 0,
                (backend.flags() & BackendValue.F_TERMINATING) != 0, true, slots);
    }

    /** Local when svc_names says the service is the Local variant of its Service port. */
    private static String trafficPolicy(ServiceName name, ServiceValue service) {
        if (name != null) {
            return name.scope() == ServiceName.SCOPE_LOCAL ? "Local" : "Cluster";
        }
        return service.has(ServiceValue.F_NO_SNAT) && service.has(ServiceValue.F_DROP_EMPTY) ? "Local" : "Cluster";
    }

    static List<String> flagNames(int flags) {
        List<String> names = new ArrayList<>();
        String[] known = {"affinity", "random", "no-snat", "drop-empty", "source-ranges"};
        for (int bit = 0; bit < 32; bit++) {
            if ((flags & (1 << bit)) != 0) {
                names.add(bit < known.length ? known[bit] : "bit" + bit);
            }
        }
        return names;
    }

    static String table(List<Views.ServiceEntry> entries, boolean withBackends) {
        Table table = new Table("FRONTEND", "TYPE", "SERVICE", ">ID", "ALGORITHM", "FLAGS", ">BACKENDS");
        for (Views.ServiceEntry entry : entries) {
            Views.Frontend f = entry.frontend();
            String frontend = endpoint(f.address(), f.family(), f.port()) + "/" + f.protocol();
            String service = entry.service() == null ? "-" : entry.service().namespace() + "/"
                    + entry.service().name() + (entry.service().port().isEmpty() ? "" : ":" + entry.service().port());
            String id = entry.serviceId() == null ? "-" : Integer.toUnsignedString(entry.serviceId());
            // Missing: an eBPF frontend whose service is gone, or a recorded IPVS service the kernel lacks.
            if (entry.algorithm() == null) {
                table.row(frontend, f.type(), service, id, "-",
                        entry.serviceId() == null ? "missing from IPVS" : "service missing", "-");
                continue;
            }
            table.row(frontend, f.type(), service, id, entry.algorithm(),
                    flags(entry, f.kind()), entry.backends().size());
            if (withBackends) {
                for (Views.ServiceBackend b : entry.backends()) {
                    if (b.id() == null) {
                        table.detail("backend", endpoint(b.address(), b.family(), b.port()), state(b),
                                "weight " + b.weight() + connections(b));
                        continue;
                    }
                    table.detail("backend " + Integer.toUnsignedString(b.id()),
                            b.present() ? endpoint(b.address(), b.family(), b.port()) : "(missing)",
                            state(b), b.slots() + "/" + entry.maglevSize() + " slots");
                }
            }
        }
        return table.render();
    }

    private static String flags(Views.ServiceEntry entry, int kind) {
        List<String> shown = new ArrayList<>();
        boolean local = "Local".equals(entry.trafficPolicy());
        if (local) {
            shown.add(Format.external(kind) ? "ETP=Local" : "ITP=Local");
        }
        if (entry.affinity() != null) {
            shown.add("affinity=ClientIP/" + entry.affinity().timeoutSeconds() + "s");
        }
        if (entry.flags() == null) {
            // IPVS: the scheduler's flags, no map flags, no source ranges (nftables enforces those).
            if (entry.flagNames() != null) {
                shown.addAll(entry.flagNames());
            }
            return shown.isEmpty() ? "-" : String.join(" ", shown);
        }
        if (!entry.sourceRanges().isEmpty()) {
            shown.add("source-ranges=" + String.join(",", entry.sourceRanges()));
        }
        int flags = entry.flags();
        if (!local && (flags & ServiceValue.F_NO_SNAT) != 0) {
            shown.add("no-snat");
        }
        if (!local && (flags & ServiceValue.F_DROP_EMPTY) != 0) {
            shown.add("drop-empty");
        }
        if ((flags & ServiceValue.F_SOURCE_RANGES) != 0 && entry.sourceRanges().isEmpty()) {
            shown.add("source-ranges=none");
        }
        return shown.isEmpty() ? "-" : String.join(" ", shown);
    }

    static String state(Views.ServiceBackend backend) {
        if (!backend.present()) {
            return "missing";
        }
        if (backend.local() == null) {
            // IPVS does not know where a real server runs; weight 0 is how it drains one.
            return backend.terminating() ? "terminating" : "ready";
        }
        return (backend.local() ? "local" : "remote") + (backend.terminating() ? ",terminating" : "");
    }

    private static String connections(Views.ServiceBackend backend) {
        return backend.activeConnections() == null ? "" : ", " + backend.activeConnections() + " active/"
                + backend.inactiveConnections() + " inactive conns";
    }

    static String endpoint(String address, int family, int port) {
        return (family == 6 ? "[" + address + "]" : address) + ":" + port;
    }
}
