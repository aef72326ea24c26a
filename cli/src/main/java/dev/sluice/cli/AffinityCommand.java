package dev.sluice.cli;

import dev.sluice.control.datapath.AffinityKey;
import dev.sluice.control.datapath.AffinityValue;
import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice affinity}: ClientIP session affinity entries. Ages compare last_used_ns
 * (bpf_ktime_get_ns, CLOCK_MONOTONIC) with System.nanoTime (CLOCK_MONOTONIC on Linux).
 */
@Command(name = "affinity", mixinStandardHelpOptions = true, sortOptions = false,
        header = "ClientIP session affinity entries.",
        description = "ClientIP session affinity entries: client, service, the backend the client sticks to, "
                + "and how long ago it was last used, against the service's affinity timeout.")
final class AffinityCommand implements Runnable {
    static final Comparator<AffinityKey> ORDER = Comparator
            .comparingInt((AffinityKey k) -> k.client().getAddress().length)
            .thenComparing(k -> k.client().getAddress(), Arrays::compareUnsigned)
            .thenComparing(AffinityKey::serviceId, Integer::compareUnsigned);

    @ParentCommand
    Sluice root;

    @Mixin
    OutputOptions output;

    @Mixin
    Filters filters;

    @Override
    public void run() {
        InetAddress address = filters.address();
        Integer protocol = filters.protocol();
        try (PinnedMaps maps = root.maps()) {
            Catalog catalog = Catalog.read(maps);
            List<Integer> services = filters.serviceIds(catalog);
            long now = root.nowNanos();
            List<Map.Entry<AffinityKey, AffinityValue>> selected = new ArrayList<>(maps.affinity().lookupBatch().entrySet());
            selected.sort(Map.Entry.comparingByKey(ORDER));
            List<Views.AffinityEntry> entries = new ArrayList<>();
            for (Map.Entry<AffinityKey, AffinityValue> entry : selected) {
                AffinityKey key = entry.getKey();
                AffinityValue value = entry.getValue();
                BackendValue backend = catalog.backends().get(value.backendId());
                ServiceName name = catalog.names().get(key.serviceId());
                if ((services != null && !services.contains(key.serviceId()))
                        || (protocol != null && (name == null || name.protocol() != protocol))
                        || (address != null && !key.client().equals(address)
                                && (backend == null || !backend.address().equals(address)))
                        || (filters.port != null && (backend == null || backend.port() != filters.port))) {
                    continue;
                }
                ServiceValue service = catalog.services().get(key.serviceId());
                long age = now - value.lastUsedNanos();
                Integer timeout = service == null ? null : service.affinityTimeoutSeconds();
                entries.add(new Views.AffinityEntry(Format.address(key.client()), Format.family(key.client()),
                        key.serviceId(), catalog.label(key.serviceId()), value.backendId(),
                        backend == null ? null : new Views.Endpoint(Format.address(backend.address()), backend.port()),
                        value.lastUsedNanos(), age, Format.duration(age), timeout,
                        timeout == null ? null : age > timeout * 1_000_000_000L));
            }
            PrintWriter out = root.spec.commandLine().getOut();
            if (output.json()) {
                Sluice.printJson(out, entries);
                return;
            }
            Table table = new Table("CLIENT", "SERVICE", ">ID", ">BACKEND", "BACKEND ADDRESS", ">AGE", ">TIMEOUT");
            for (Views.AffinityEntry e : entries) {
                table.row(e.client(), e.service(), Integer.toUnsignedString(e.serviceId()),
                        Integer.toUnsignedString(e.backendId()),
                        e.backend() == null ? "(missing)" : ConnectionsCommand.endpoint(e.backend(), e.family()),
                        e.age() + (Boolean.TRUE.equals(e.expired()) ? " (expired)" : ""),
                        e.timeoutSeconds() == null ? "-" : e.timeoutSeconds() + "s");
            }
            out.print(table.render());
            out.flush();
        }
    }
}
