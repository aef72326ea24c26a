package dev.sluice.lab;

import dev.sluice.ffm.ipvs.IpvsClient;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsDestinationStats;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import dev.sluice.ffm.sys.NetworkNamespace;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;

/**
 * What an IPVS-datapath node holds, for the run command: its virtual services and real servers,
 * read over IPVS netlink in the node's namespace (as {@code ipvsadm -Ln} lists them). The eBPF
 * datapath's {@code sluice services} reads pinned maps, which an IPVS node has none of.
 */
final class IpvsTable {
    private static final String ROW = "  %-5s %-26s %-6s %-8s %s%n";

    private IpvsTable() {
    }

    static void show(NetworkNamespace node, PrintStream out) {
        List<Row> rows = node.call(() -> {
            try (IpvsClient ipvs = IpvsClient.open()) {
                return ipvs.services().stream()
                        .sorted(Comparator.comparing((IpvsService s) -> s.key().protocol().name())
                                .thenComparing(s -> endpoint(s.key())))
                        .map(s -> new Row(s, ipvs.destinations(s.key()))).toList();
            }
        });
        out.printf(ROW, "PROTO", "VIRTUAL SERVICE", "SCHED", "PERSIST", "REAL SERVERS (weight, active/inactive connections)");
        for (Row row : rows) {
            IpvsService service = row.service();
            out.printf(ROW, service.key().protocol(), endpoint(service.key()), service.scheduler(),
                    service.isPersistent() ? service.persistenceTimeoutSeconds() + "s" : "-",
                    row.destinations().isEmpty() ? "(none)" : String.join(", ",
                            row.destinations().stream().sorted(Comparator.comparing(IpvsDestination::endpoint))
                                    .map(IpvsTable::destination).toList()));
        }
        out.printf("  %d virtual services, %d real servers%n", rows.size(),
                rows.stream().mapToInt(r -> r.destinations().size()).sum());
    }

    private record Row(IpvsService service, List<IpvsDestination> destinations) {
    }

    private static String endpoint(IpvsServiceKey key) {
        String host = key.address().getHostAddress();
        return (key.isIpv6() ? "[" + host + "]" : host) + ":" + key.port();
    }

    private static String destination(IpvsDestination destination) {
        String counts = destination.stats().map(IpvsTable::counts).orElse("");
        return destination.endpoint() + " w" + destination.weight() + counts;
    }

    private static String counts(IpvsDestinationStats stats) {
        return " " + stats.activeConnections() + "/" + stats.inactiveConnections();
    }
}
