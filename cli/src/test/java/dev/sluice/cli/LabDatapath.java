package dev.sluice.cli;

import dev.sluice.control.datapath.AffinityKey;
import dev.sluice.control.datapath.AffinityValue;
import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.ConntrackValue;
import dev.sluice.control.datapath.Datapath;
import dev.sluice.control.datapath.DatapathConfig;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import dev.sluice.control.datapath.TrafficCounter;
import dev.sluice.control.datapath.Tuple;
import dev.sluice.ffm.PerCpuBpfMap;
import dev.sluice.ffm.testing.PrivateBpffs;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The real datapath loaded with its maps pinned in a private bpffs under {@code <root>/maps}, as
 * the agent pins them, and filled through {@link DatapathMaps} the way the control plane fills it:
 * backends, then Maglev tables, services, frontends and names. Addresses are documentation and
 * benchmark ranges only (198.18.0.0/15, 2001:db8::/32, 10.96/16 as cluster IPs).
 *
 * <pre>
 *  1 default/web:http        IPv4 TCP ClusterIP 10.96.0.10:80          backends 11 12 13(local)
 *  2 default/web:http local  IPv4 TCP NodePort 198.18.0.2:30080        backend 13 (ETP Local)
 *  3 kube-system/dns:dns     IPv4 UDP ClusterIP 10.96.0.53:53          backends 21 22, ClientIP 600 s
 *  4 default/web6:http       IPv6 TCP ClusterIP [fd00::10]:80,         backends 31 32(terminating),
 *                            LoadBalancer [2001:db8:ff::1]:80          random, source ranges
 *  5 default/empty:https     IPv4 TCP ExternalIP 198.18.5.5:443        no backends, drop when empty
 * </pre>
 */
final class LabDatapath implements AutoCloseable {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int TABLE_SIZE = 13;
    static final InetAddress NODE4 = address("198.18.0.2");
    static final InetAddress NODE6 = address("2001:db8::2");
    static final InetAddress CLIENT4 = address("198.18.0.1");
    static final InetAddress DNS_IP = address("10.96.0.53");

    private final PrivateBpffs bpffs;
    private final Datapath datapath;

    private LabDatapath(PrivateBpffs bpffs, Datapath datapath) {
        this.bpffs = bpffs;
        this.datapath = datapath;
    }

    /** Loads the datapath and programs the five services. */
    static LabDatapath create() {
        PrivateBpffs bpffs = PrivateBpffs.mount();
        try {
            Datapath datapath = Datapath.load(bpffs.root().resolve("maps"));
            LabDatapath lab = new LabDatapath(bpffs, datapath);
            lab.programServices();
            return lab;
        } catch (RuntimeException failure) {
            bpffs.close();
            throw failure;
        }
    }

    Path root() {
        return bpffs.root();
    }

    Path pin(String map) {
        return bpffs.root().resolve("maps").resolve(map);
    }

    Datapath datapath() {
        return datapath;
    }

    DatapathMaps maps() {
        return datapath.maps();
    }

    /** The CLI against this datapath. */
    CliRun cli(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--bpffs-root";
        all[args.length + 1] = root().toString();
        return CliRun.of(all);
    }

    private void programServices() {
        DatapathMaps maps = maps();
        maps.config().put(0, new DatapathConfig(0x5eed, 61000, 65535, NODE4, NODE6));
        Map<Integer, BackendValue> backends = Map.of(
                11, new BackendValue(address("198.18.1.10"), 8080, 0),
                12, new BackendValue(address("198.18.1.11"), 8080, 0),
                13, new BackendValue(address("198.18.2.10"), 8080, BackendValue.F_LOCAL),
                21, new BackendValue(address("198.18.1.20"), 53, 0),
                22, new BackendValue(address("198.18.1.21"), 53, 0),
                31, new BackendValue(address("2001:db8:1::10"), 8080, 0),
                32, new BackendValue(address("2001:db8:1::11"), 8080, BackendValue.F_TERMINATING));
        backends.forEach(maps.backends()::put);

        install(1, 0, 0, new int[] {11, 12, 13}, new ServiceName("default", "web", "http", 0, 4, TCP),
                FrontendValue.CLUSTER_IP, new FrontendKey(address("10.96.0.10"), 80, TCP));
        install(2, ServiceValue.F_NO_SNAT | ServiceValue.F_DROP_EMPTY, 0, new int[] {13},
                new ServiceName("default", "web", "http", ServiceName.SCOPE_LOCAL, 4, TCP),
                FrontendValue.NODE_PORT, new FrontendKey(NODE4, 30080, TCP));
        install(3, ServiceValue.F_AFFINITY, 600, new int[] {21, 22}, new ServiceName("kube-system", "dns", "dns", 0, 4, UDP),
                FrontendValue.CLUSTER_IP, new FrontendKey(DNS_IP, 53, UDP));
        install(4, ServiceValue.F_RANDOM | ServiceValue.F_SOURCE_RANGES, 0, new int[] {31, 32},
                new ServiceName("default", "web6", "http", 0, 6, TCP),
                FrontendValue.CLUSTER_IP, new FrontendKey(address("fd00::10"), 80, TCP));
        maps.frontends().put(new FrontendKey(address("2001:db8:ff::1"), 80, TCP),
                new FrontendValue(4, FrontendValue.LOAD_BALANCER));
        maps.sourceRanges().put(new SourceRangeKey(4, address("2001:db8::"), 32), (byte) 1);
        maps.sourceRanges().put(new SourceRangeKey(4, address("2001:db8:ff::"), 48), (byte) 1);
        install(5, ServiceValue.F_DROP_EMPTY, 0, new int[0], new ServiceName("default", "empty", "https", 0, 4, TCP),
                FrontendValue.EXTERNAL_IP, new FrontendKey(address("198.18.5.5"), 443, TCP));
    }

    /** As the control plane: table first (dealt out in turn), then the service, frontend, name. */
    private void install(int id, int flags, int affinityTimeout, int[] backendIds, ServiceName name, int kind,
                         FrontendKey frontend) {
        int[] table = new int[backendIds.length == 0 ? 0 : TABLE_SIZE];
        for (int slot = 0; slot < table.length; slot++) {
            table[slot] = backendIds[slot % backendIds.length];
        }
        if (table.length > 0) {
            maps().putMaglevTable(id, table);
        }
        maps().services().put(id, new ServiceValue(flags, affinityTimeout, table.length, backendIds.length));
        maps().frontends().put(frontend, new FrontendValue(id, kind));
        maps().names().put(id, name);
    }

    /**
     * Fixed connections, affinity entries and counters written through the maps, for output that
     * does not depend on when the test runs (see {@link CliRun#NOW_NS}). Counters go to CPU 0 so
     * the sums do not depend on the number of CPUs.
     */
    void writeDeterministicState() {
        long now = CliRun.NOW_NS;
        InetAddress client6 = address("2001:db8::1");
        // A NodePort connection to the local backend of service 2 (no SNAT), established.
        conntrackPair(new Tuple(CLIENT4, NODE4, 40000, 30080, TCP), NODE4, 0, address("198.18.2.10"), 8080,
                13, 2, ConntrackValue.F_LOCAL_BACKEND, ConntrackValue.STATE_ESTABLISHED, now - 5_000_000_000L);
        // A DNS query to a remote backend through SNAT, never answered and long expired.
        conntrackPair(new Tuple(CLIENT4, DNS_IP, 50000, 53, UDP), NODE4, 61000, address("198.18.1.20"), 53,
                21, 3, ConntrackValue.F_SNAT, ConntrackValue.STATE_NEW, now - 95_000_000_000L);
        // An IPv6 connection to a remote backend of service 4, closing.
        conntrackPair(new Tuple(client6, address("fd00::10"), 40001, 80, TCP), NODE6, 61001,
                address("2001:db8:1::10"), 8080, 31, 4, ConntrackValue.F_SNAT, ConntrackValue.STATE_CLOSING,
                now - 2_000_000_000L);
        // Generations 0, as the backends and services above carry.
        maps().affinity().put(new AffinityKey(CLIENT4, 3), new AffinityValue(now - 95_000_000_000L, 21, 0, 0));
        maps().affinity().put(new AffinityKey(address("198.18.0.7"), 3),
                new AffinityValue(now - 700_000_000_000L, 22, 0, 0));
        PerCpuBpfMap<Integer, TrafficCounter> traffic = maps().traffic();
        traffic.put(1, onCpu0(traffic.cpus(), new TrafficCounter(120, 96000), new TrafficCounter(0, 0)));
        traffic.put(3, onCpu0(traffic.cpus(), new TrafficCounter(7, 574), new TrafficCounter(0, 0)));
        PerCpuBpfMap<Integer, Long> drops = maps().drops();
        drops.put(1, onCpu0(drops.cpus(), 4L, 0L));
        drops.put(2, onCpu0(drops.cpus(), 9L, 0L));
    }

    private void conntrackPair(Tuple forward, InetAddress natSource, int natSourcePort, InetAddress backend,
                               int backendPort, int backendId, int serviceId, int flags, int state, long lastSeen) {
        int family = forward.source().getAddress().length == 4 ? 4 : 6;
        InetAddress snat = (flags & ConntrackValue.F_SNAT) != 0 ? natSource : forward.source();
        int snatPort = (flags & ConntrackValue.F_SNAT) != 0 ? natSourcePort : forward.sourcePort();
        maps().conntrack(family).put(forward, new ConntrackValue(snat, backend, snatPort, backendPort, backendId,
                serviceId, state, ConntrackValue.DIRECTION_FORWARD, flags, lastSeen));
        maps().conntrack(family).put(new Tuple(backend, snat, backendPort, snatPort, forward.protocol()),
                new ConntrackValue(forward.destination(), forward.source(), forward.destinationPort(),
                        forward.sourcePort(), backendId, serviceId, state, ConntrackValue.DIRECTION_REPLY, flags,
                        lastSeen));
    }

    private static <T> List<T> onCpu0(int cpus, T value, T zero) {
        List<T> values = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            values.add(cpu == 0 ? value : zero);
        }
        return values;
    }

    @Override
    public void close() {
        try {
            datapath.close();
        } finally {
            bpffs.close();
        }
    }

    static InetAddress address(String literal) {
        return InetAddress.ofLiteral(literal);
    }
}
