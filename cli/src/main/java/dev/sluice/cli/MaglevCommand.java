package dev.sluice.cli;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.ServiceValue;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sluice maglev SERVICE}: a service's Maglev table, summarised or slot by slot. */
@Command(name = "maglev", mixinStandardHelpOptions = true, sortOptions = false,
        header = "A service's Maglev table.",
        description = "A service's Maglev lookup table (the inner map svc_maglev points to for the service): "
                + "its size and the slots each backend holds; --full prints every slot.")
final class MaglevCommand implements Runnable {
    @ParentCommand
    Sluice root;

    @Mixin
    OutputOptions output;

    @Parameters(paramLabel = "SERVICE", description = "A service id, or namespace/name[:port] (port name, "
            + "or number when no port has that name); an ambiguous name lists the ids to choose from.")
    String service;

    @Option(names = "--full", description = "Print the whole table, slot -> backend.")
    boolean full;

    @Override
    public void run() {
        try (PinnedMaps maps = root.maps()) {
            Catalog catalog = Catalog.read(maps);
            int id = catalog.resolveOne(service);
            int[] slots = catalog.table(id).orElseThrow(() -> new CliException(ExitCodes.NOT_FOUND,
                    "service " + Integer.toUnsignedString(id) + " (" + catalog.label(id)
                            + ") has no Maglev table (no backends)"));
            ServiceValue value = catalog.services().get(id);
            List<Views.MaglevBackend> backends = new ArrayList<>();
            catalog.slotCounts(id).forEach((backendId, count) -> {
                BackendValue backend = catalog.backends().get(backendId);
                backends.add(new Views.MaglevBackend(backendId,
                        backend == null ? null : Format.address(backend.address()),
                        backend == null ? null : backend.port(), count,
                        slots.length == 0 ? 0 : Math.round(count * 10000.0 / slots.length) / 100.0));
            });
            Views.Maglev view = new Views.Maglev(id, Views.Name.of(catalog.names().get(id)), slots.length,
                    value == null ? null : value.maglevSize(), value == null ? null : value.backendCount(),
                    backends, full ? slots : null);
            PrintWriter out = root.spec.commandLine().getOut();
            if (output.json()) {
                Sluice.printJson(out, view);
                return;
            }
            out.println("service " + Integer.toUnsignedString(id) + " " + catalog.label(id) + ": table size "
                    + slots.length + ", " + backends.size() + " backends");
            Table summary = new Table(">BACKEND", "ADDRESS", ">SLOTS", ">SHARE");
            for (Views.MaglevBackend b : backends) {
                summary.row(Integer.toUnsignedString(b.backendId()), address(catalog, b.backendId()), b.slots(),
                        String.format(Locale.ROOT, "%.2f%%", b.share()));
            }
            out.print(summary.render());
            if (full) {
                out.println();
                Table table = new Table(">SLOT", ">BACKEND", "ADDRESS");
                for (int slot = 0; slot < slots.length; slot++) {
                    table.row(slot, Integer.toUnsignedString(slots[slot]), address(catalog, slots[slot]));
                }
                out.print(table.render());
            }
            out.flush();
        }
    }

    private static String address(Catalog catalog, int backendId) {
        BackendValue backend = catalog.backends().get(backendId);
        return backend == null ? "(missing)" : Format.endpoint(backend.address(), backend.port());
    }
}
