package dev.sluice.cli;

import dev.sluice.control.datapath.BackendValue;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code sluice backends}: every backend and the services whose Maglev tables use it. */
@Command(name = "backends", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Backends and the services that use them.",
        description = "Every backend: id, address:port, family, flags (local, terminating), and the services "
                + "whose Maglev tables hold it, with its slots in each. On the IPVS datapath: every real server of "
                + "the virtual services sluice owns, and each virtual service using it with its weight there "
                + "(0: terminating, draining); no ids or flags.")
final class BackendsCommand implements Runnable {
    @ParentCommand
    Sluice root;

    @Mixin
    OutputOptions output;

    @Override
    public void run() {
        if (root.ipvsMode()) {
            String stateFile = root.ipvsState().path().toString();
            print(IpvsViews.backends(IpvsViews.services(root.ipvsOwned(), IpvsTable.read(stateFile))));
            return;
        }
        try (PinnedMaps maps = root.maps()) {
            Catalog catalog = Catalog.read(maps);
            Map<Integer, List<Views.BackendUse>> uses = new HashMap<>();
            catalog.services().forEach((serviceId, service) -> {
                int tableSize = catalog.table(serviceId).map(t -> t.length).orElse(0);
                catalog.slotCounts(serviceId).forEach((backendId, slots) -> uses
                        .computeIfAbsent(backendId, id -> new ArrayList<>())
                        .add(Views.BackendUse.ebpf(serviceId, catalog.label(serviceId), slots, tableSize)));
            });
            List<Views.BackendEntry> entries = new ArrayList<>();
            catalog.backends().forEach((id, backend) -> entries.add(new Views.BackendEntry(id,
                    Format.address(backend.address()), backend.port(), Format.family(backend.address()),
                    backend.flags(), flagNames(backend.flags()), uses.getOrDefault(id, List.of()))));
            print(entries);
        }
    }

    private void print(List<Views.BackendEntry> entries) {
        PrintWriter out = root.spec.commandLine().getOut();
        if (output.json()) {
            Sluice.printJson(out, entries);
            return;
        }
        Table table = new Table(">ID", "ADDRESS", ">FAMILY", "FLAGS", "SERVICES");
        for (Views.BackendEntry entry : entries) {
            List<String> services = entry.services().stream().map(BackendsCommand::use).toList();
            table.row(entry.id() == null ? "-" : Integer.toUnsignedString(entry.id()),
                    ServicesCommand.endpoint(entry.address(), entry.family(), entry.port()),
                    "IPv" + entry.family(), entry.flagNames() == null || entry.flagNames().isEmpty() ? "-"
                            : String.join(",", entry.flagNames()),
                    services.isEmpty() ? "(unused)" : String.join(", ", services));
        }
        out.print(table.render());
        out.flush();
    }

    private static String use(Views.BackendUse use) {
        if (use.serviceId() == null) {
            return use.service() + " " + use.frontend() + " weight " + use.weight();
        }
        return use.service() + " [" + Integer.toUnsignedString(use.serviceId()) + "] " + use.slots() + "/"
                + use.tableSize();
    }

    static List<String> flagNames(int flags) {
        List<String> names = new ArrayList<>();
        if ((flags & BackendValue.F_LOCAL) != 0) {
            names.add("local");
        }
        if ((flags & BackendValue.F_TERMINATING) != 0) {
            names.add("terminating");
        }
        for (int bit = 2; bit < 8; bit++) {
            if ((flags & (1 << bit)) != 0) {
                names.add("bit" + bit);
            }
        }
        return names;
    }
}
