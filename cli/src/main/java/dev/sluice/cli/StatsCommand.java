package dev.sluice.cli;

import dev.sluice.control.datapath.DropReason;
import dev.sluice.control.datapath.TrafficCounter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code sluice stats}: per-service traffic and drops by reason, summed over every CPU. */
@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Traffic per service and drops by reason.",
        description = "Packets and bytes per service (svc_traffic) and drops by reason (datapath_drops), "
                + "summed over all CPUs. Counters start when the maps are created and only grow.")
final class StatsCommand implements Runnable {
    @ParentCommand
    Sluice root;

    @Mixin
    OutputOptions output;

    @Override
    public void run() {
        try (PinnedMaps maps = root.maps()) {
            Catalog catalog = Catalog.namesOnly(maps);
            Map<Integer, TrafficCounter> totals = new TreeMap<>(Integer::compareUnsigned);
            maps.traffic().lookupBatch().forEach((id, perCpu) -> totals.put(id,
                    perCpu.stream().reduce(new TrafficCounter(0, 0), TrafficCounter::plus)));
            List<Views.Traffic> traffic = new ArrayList<>();
            totals.forEach((id, total) -> traffic.add(new Views.Traffic(id, catalog.label(id), total.packets(),
                    total.bytes())));
            Map<Integer, List<Long>> drops = maps.drops().lookupBatch();
            List<Views.Drop> dropViews = new ArrayList<>();
            for (int code = 0; code < maps.drops().info().maxEntries(); code++) {
                long packets = drops.getOrDefault(code, List.of()).stream().mapToLong(Long::longValue).sum();
                String reason = code < DropReason.values().length ? DropReason.values()[code].label() : "reason-" + code;
                dropViews.add(new Views.Drop(code, reason, packets));
            }
            Views.Stats stats = new Views.Stats(traffic, dropViews);
            PrintWriter out = root.spec.commandLine().getOut();
            if (output.json()) {
                Sluice.printJson(out, stats);
                return;
            }
            Table services = new Table(">ID", "SERVICE", ">PACKETS", ">BYTES");
            for (Views.Traffic t : traffic) {
                services.row(Integer.toUnsignedString(t.serviceId()), t.service(), t.packets(), t.bytes());
            }
            out.print(services.render());
            out.println();
            Table reasons = new Table("DROP REASON", ">PACKETS");
            for (Views.Drop d : dropViews) {
                reasons.row(d.reason(), d.packets());
            }
            out.print(reasons.render());
            out.flush();
        }
    }
}
