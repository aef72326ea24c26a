package dev.sluice.cli;

import dev.sluice.control.datapath.ConntrackValue;
import dev.sluice.control.datapath.Tuple;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sluice ct} and {@code sluice nat}: connection tracking entries, all of them or those
 * whose source is rewritten too (SNAT). Ages compare last_seen_ns, stamped by bpf_ktime_get_ns
 * (CLOCK_MONOTONIC), with this process's System.nanoTime, which on Linux is CLOCK_MONOTONIC too.
 */
abstract class ConnectionsCommand implements Runnable {
    static final Comparator<Tuple> TUPLE_ORDER = Comparator.comparingInt(Tuple::protocol)
            .thenComparingInt((Tuple t) -> t.source().getAddress().length)
            .thenComparing(t -> t.source().getAddress(), Arrays::compareUnsigned)
            .thenComparingInt(Tuple::sourcePort)
            .thenComparing(t -> t.destination().getAddress(), Arrays::compareUnsigned)
            .thenComparingInt(Tuple::destinationPort);

    enum Direction { forward, reply }

    @ParentCommand
    Sluice root;

    @Mixin
    OutputOptions output;

    @Mixin
    Filters filters;

    @Option(names = "--direction", paramLabel = "DIR", description = "Only entries of this direction: ${COMPLETION-CANDIDATES}.")
    Direction direction;

    /** Whether this command shows the entry at all (before the user's filters). */
    abstract boolean selects(ConntrackValue value);

    @Override
    public void run() {
        InetAddress address = filters.address();
        Integer protocol = filters.protocol();
        try (PinnedMaps maps = root.maps()) {
            Catalog catalog = Catalog.read(maps);
            List<Integer> services = filters.serviceIds(catalog);
            long now = root.nowNanos();
            List<Map.Entry<Tuple, ConntrackValue>> selected = new ArrayList<>();
            for (Map.Entry<Tuple, ConntrackValue> entry : maps.conntrack().entrySet()) {
                Tuple t = entry.getKey();
                ConntrackValue v = entry.getValue();
                if (!selects(v)
                        || (direction != null && v.direction() != direction.ordinal())
                        || (protocol != null && t.protocol() != protocol)
                        || (services != null && !services.contains(v.serviceId()))
                        || (address != null && !List.of(t.source(), t.destination(), v.natSource(),
                                v.natDestination()).contains(address))
                        || (filters.port != null && !List.of(t.sourcePort(), t.destinationPort(), v.natSourcePort(),
                                v.natDestinationPort()).contains(filters.port))) {
                    continue;
                }
                selected.add(entry);
            }
            selected.sort(Map.Entry.comparingByKey(TUPLE_ORDER));
            List<Views.Connection> connections = selected.stream()
                    .map(e -> view(catalog, e.getKey(), e.getValue(), now)).toList();
            PrintWriter out = root.spec.commandLine().getOut();
            if (output.json()) {
                Sluice.printJson(out, connections);
                return;
            }
            Table table = new Table("PROTO", "SOURCE", "DESTINATION", "DIR", "STATE", "REWRITTEN TO", "FLAGS",
                    "SERVICE", ">BACKEND", ">AGE");
            for (Views.Connection c : connections) {
                table.row(c.protocol(), endpoint(c.source(), c.family()), endpoint(c.destination(), c.family()),
                        c.direction(), c.state() + (c.expired() ? " (expired)" : ""),
                        endpoint(c.translation().source(), c.family()) + " -> "
                                + endpoint(c.translation().destination(), c.family()),
                        c.flagNames().isEmpty() ? "-" : String.join(",", c.flagNames()),
                        c.service() + " [" + Integer.toUnsignedString(c.serviceId()) + "]",
                        c.backendId() == 0 ? "-" : Integer.toUnsignedString(c.backendId()), c.age());
            }
            out.print(table.render());
            out.flush();
        }
    }

    static Views.Connection view(Catalog catalog, Tuple t, ConntrackValue v, long now) {
        long age = now - v.lastSeenNanos();
        long timeout = ConntrackValue.timeoutSeconds(t.protocol(), v.state());
        List<String> flags = new ArrayList<>();
        if ((v.flags() & ConntrackValue.F_SNAT) != 0) {
            flags.add("snat");
        }
        if ((v.flags() & ConntrackValue.F_LOCAL_BACKEND) != 0) {
            flags.add("local-backend");
        }
        if ((v.flags() & ConntrackValue.F_FIN_FORWARD) != 0) {
            flags.add("fin-client");
        }
        if ((v.flags() & ConntrackValue.F_FIN_REPLY) != 0) {
            flags.add("fin-backend");
        }
        if ((v.flags() & ConntrackValue.F_TRACK_ONLY) != 0) {
            flags.add("track-only");
        }
        for (int bit = 5; bit < 8; bit++) {
            if ((v.flags() & (1 << bit)) != 0) {
                flags.add("bit" + bit);
            }
        }
        return new Views.Connection(Format.protocol(t.protocol()), Format.family(t.source()),
                new Views.Endpoint(Format.address(t.source()), t.sourcePort()),
                new Views.Endpoint(Format.address(t.destination()), t.destinationPort()),
                v.direction() == ConntrackValue.DIRECTION_FORWARD ? "forward"
                        : v.direction() == ConntrackValue.DIRECTION_REPLY ? "reply" : "direction-" + v.direction(),
                state(v.state()), v.flags(), flags,
                new Views.Translation(new Views.Endpoint(Format.address(v.natSource()), v.natSourcePort()),
                        new Views.Endpoint(Format.address(v.natDestination()), v.natDestinationPort())),
                v.serviceId(), catalog.label(v.serviceId()), v.backendId(), v.lastSeenNanos(), age,
                Format.duration(age), timeout, age > timeout * 1_000_000_000L);
    }

    static String state(int state) {
        return switch (state) {
            case ConntrackValue.STATE_NEW -> "new";
            case ConntrackValue.STATE_ESTABLISHED -> "established";
            case ConntrackValue.STATE_CLOSING -> "closing";
            case ConntrackValue.STATE_CLOSED -> "closed";
            default -> "state-" + state;
        };
    }

    static String endpoint(Views.Endpoint endpoint, int family) {
        return ServicesCommand.endpoint(endpoint.address(), family, endpoint.port());
    }

    @Command(name = "ct", mixinStandardHelpOptions = true, sortOptions = false,
            header = "Connection tracking entries.",
            description = "Connection tracking entries: the tuple each direction carries, its state, what its "
                    + "packets are rewritten to, the service and backend, and the time since the entry was last "
                    + "used. Each translated connection has a forward entry (client -> frontend) and a reply "
                    + "entry (backend -> client, or -> the SNAT address).")
    static final class Conntrack extends ConnectionsCommand {
        @Override
        boolean selects(ConntrackValue value) {
            return true;
        }
    }

    @Command(name = "nat", mixinStandardHelpOptions = true, sortOptions = false,
            header = "Connections with SNAT: the reverse NAT mappings.",
            description = "Connection tracking entries with the SNAT flag: connections whose source is "
                    + "rewritten to the node's address (remote backends, hairpin, masquerade). Their reply entries "
                    + "are the reverse NAT mappings: backend -> node:port is rewritten back to frontend -> client.")
    static final class Nat extends ConnectionsCommand {
        @Override
        boolean selects(ConntrackValue value) {
            return (value.flags() & ConntrackValue.F_SNAT) != 0;
        }
    }
}
