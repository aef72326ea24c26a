package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.ffm.TestRun;
import dev.sluice.ffm.TestRunResult;
import dev.sluice.ffm.testing.Ipv4UdpFrame;
import dev.sluice.ffm.testing.KernelTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every map command's JSON agrees entry for entry with {@code bpftool -j map dump} of the same
 * pinned map. Besides the entries written through the maps, conntrack and affinity entries and
 * traffic counters come from the datapath itself: UDP queries run through xdp_node (and tc_node,
 * for what xdp_node passes on) with BPF_PROG_RUN.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BpftoolAgreementTest {
    private static final byte[] NODE_MAC = {2, 0, 0, 0, 0, 2};
    private static final byte[] CLIENT_MAC = {2, 0, 0, 0, 0, 1};

    private LabDatapath lab;

    @BeforeAll
    void load() {
        lab = LabDatapath.create();
        lab.writeDeterministicState();
        for (int client = 20; client < 23; client++) {
            byte[] frame = new Ipv4UdpFrame(NODE_MAC, CLIENT_MAC, new byte[] {(byte) 198, 18, 0, (byte) client},
                    LabDatapath.DNS_IP.getAddress(), 64, client, 50000 + client, 53, new byte[32]).bytes();
            TestRunResult result = lab.datapath().xdpNode().testRun(TestRun.packet(frame));
            assertThat(result.returnValue()).as("XDP verdict").isIn(2, 3);
            if (result.returnValue() == 2) {
                // Passed on untouched, as XDP does what it cannot send: tc_node finishes and counts it.
                lab.datapath().tcNode().testRun(TestRun.packet(frame));
            }
        }
    }

    @AfterAll
    void close() {
        if (lab != null) {
            lab.close();
        }
    }

    private JsonNode cliJson(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-o", "json"));
        CliRun run = lab.cli(all.toArray(String[]::new));
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        try {
            return Bpftool.JSON.readTree(run.out());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode dump(String map) {
        return Bpftool.dumpPinned(lab.pin(map));
    }

    private static int protocol(String name) {
        return Format.parseProtocol(name);
    }

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @Test
    void theXdpRunsCreatedConnectionsAffinityAndCounters() {
        assertThat(dump(DatapathMaps.CONNTRACK)).hasSize(6 + 2 * 3);
        assertThat(dump(DatapathMaps.AFFINITY)).hasSize(2 + 3);
    }

    @Test
    void servicesAgreeWithFrontendsServicesNamesAndTables() {
        JsonNode cli = cliJson("services");
        Set<List<Object>> fromCli = new HashSet<>();
        for (JsonNode e : cli) {
            JsonNode f = e.get("frontend");
            fromCli.add(List.of(ip(f.get("address").asText()), f.get("port").asInt(),
                    protocol(f.get("protocol").asText()), f.get("family").asInt(), e.get("serviceId").asInt(),
                    f.get("kind").asInt()));
        }
        Set<List<Object>> fromBpftool = new HashSet<>();
        for (JsonNode entry : dump(DatapathMaps.FRONTENDS)) {
            JsonNode k = entry.get("formatted").get("key");
            JsonNode v = entry.get("formatted").get("value");
            int family = k.get("family").asInt();
            fromBpftool.add(List.of(Bpftool.address(k.get("address"), family), Bpftool.be16(k.get("port")),
                    k.get("protocol").asInt(), family, v.get("service_id").asInt(), v.get("kind").asInt()));
        }
        assertThat(fromCli).hasSize(6).isEqualTo(fromBpftool);

        Map<Integer, JsonNode> services = formattedById(dump(DatapathMaps.SERVICES));
        Map<Integer, JsonNode> names = formattedById(dump(DatapathMaps.NAMES));
        Map<Integer, Map<Integer, Integer>> tables = maglevSlotCounts();
        for (JsonNode e : cli) {
            int id = e.get("serviceId").asInt();
            JsonNode service = services.get(id);
            assertThat(e.get("flags").asInt()).isEqualTo(service.get("flags").asInt());
            assertThat(e.get("maglevSize").asInt()).isEqualTo(service.get("maglev_size").asInt());
            assertThat(e.get("backendCount").asInt()).isEqualTo(service.get("backend_count").asInt());
            boolean affinity = (service.get("flags").asInt() & 1) != 0;
            assertThat(e.get("affinity").isNull()).isEqualTo(!affinity);
            if (affinity) {
                assertThat(e.get("affinity").get("timeoutSeconds").asInt())
                        .isEqualTo(service.get("affinity_timeout_s").asInt());
            }
            JsonNode name = names.get(id);
            JsonNode cliName = e.get("service");
            assertThat(cliName.get("namespace").asText()).isEqualTo(name.get("namespace").asText());
            assertThat(cliName.get("name").asText()).isEqualTo(name.get("name").asText());
            assertThat(cliName.get("port").asText()).isEqualTo(name.get("port").asText());
            assertThat(cliName.get("scope").asText()).isEqualTo(name.get("scope").asInt() == 1 ? "local" : "cluster");
            assertThat(cliName.get("family").asInt()).isEqualTo(name.get("family").asInt());
            assertThat(protocol(cliName.get("protocol").asText())).isEqualTo(name.get("protocol").asInt());
            Map<Integer, Integer> slots = new HashMap<>();
            for (JsonNode b : e.get("backends")) {
                slots.put(b.get("id").asInt(), b.get("slots").asInt());
            }
            assertThat(slots).as("slots of service %d", id).isEqualTo(tables.getOrDefault(id, Map.of()));
        }
    }

    @Test
    void sourceRangesAgreeWithTheLpmTrie() {
        Set<String> fromBpftool = new HashSet<>();
        for (JsonNode entry : dump(DatapathMaps.SOURCE_RANGES)) {
            JsonNode k = entry.get("formatted").get("key");
            fromBpftool.add(k.get("service_id").asInt() + " " + Bpftool.address(k.get("address"), k.get("family").asInt()).getHostAddress()
                    + "/" + (k.get("prefixlen").asInt() - 64));
        }
        Set<String> fromCli = new HashSet<>();
        for (JsonNode e : cliJson("services")) {
            for (JsonNode range : e.get("sourceRanges")) {
                String[] cidr = range.asText().split("/");
                fromCli.add(e.get("serviceId").asInt() + " " + ip(cidr[0]).getHostAddress() + "/" + cidr[1]);
            }
        }
        assertThat(fromCli).hasSize(2).isEqualTo(fromBpftool);
    }

    @Test
    void backendsAgreeWithTheBackendMapAndTheTables() {
        JsonNode cli = cliJson("backends");
        Map<Integer, JsonNode> backends = formattedById(dump(DatapathMaps.BACKENDS));
        assertThat(cli).hasSize(backends.size());
        Map<Integer, Map<Integer, Integer>> tables = maglevSlotCounts();
        for (JsonNode e : cli) {
            JsonNode b = backends.get(e.get("id").asInt());
            int family = b.get("family").asInt();
            assertThat(e.get("family").asInt()).isEqualTo(family);
            assertThat(ip(e.get("address").asText())).isEqualTo(Bpftool.address(b.get("address"), family));
            assertThat(e.get("port").asInt()).isEqualTo(Bpftool.be16(b.get("port")));
            assertThat(e.get("flags").asInt()).isEqualTo(b.get("flags").asInt());
            Map<Integer, Integer> uses = new HashMap<>();
            for (JsonNode use : e.get("services")) {
                uses.put(use.get("serviceId").asInt(), use.get("slots").asInt());
            }
            Map<Integer, Integer> expected = new HashMap<>();
            tables.forEach((service, counts) -> {
                if (counts.containsKey(e.get("id").asInt())) {
                    expected.put(service, counts.get(e.get("id").asInt()));
                }
            });
            assertThat(uses).as("services of backend %s", e.get("id")).isEqualTo(expected);
        }
    }

    @Test
    void maglevTablesAgreeSlotBySlotWithTheInnerMaps() {
        Map<Integer, Long> innerIds = innerMapIds();
        assertThat(innerIds).containsOnlyKeys(1, 2, 3, 4);
        innerIds.forEach((service, innerId) -> {
            JsonNode cli = cliJson("maglev", Integer.toString(service), "--full");
            JsonNode inner = Bpftool.dumpId(innerId);
            assertThat(cli.get("tableSize").asInt()).isEqualTo(inner.size());
            for (JsonNode entry : inner) {
                int slot = (int) Bpftool.rawU32(entry.get("key"));
                assertThat(cli.get("slots").get(slot).asLong()).as("service %d slot %d", service, slot)
                        .isEqualTo(Bpftool.rawU32(entry.get("value")));
            }
        });
    }

    @Test
    void conntrackAgreesWithTheConntrackMap() {
        assertThat(connections(cliJson("ct"))).isEqualTo(conntrackDump(false)).hasSize(12);
    }

    @Test
    void natIsTheConntrackEntriesWithTheSnatFlag() {
        assertThat(connections(cliJson("nat"))).isEqualTo(conntrackDump(true)).hasSize(10);
    }

    @Test
    void affinityAgreesWithTheAffinityMap() {
        Set<List<Object>> fromCli = new HashSet<>();
        for (JsonNode e : cliJson("affinity")) {
            fromCli.add(List.of(ip(e.get("client").asText()), e.get("family").asInt(), e.get("serviceId").asInt(),
                    e.get("backendId").asInt(), e.get("lastUsedNs").asLong()));
        }
        Set<List<Object>> fromBpftool = new HashSet<>();
        for (JsonNode entry : dump(DatapathMaps.AFFINITY)) {
            JsonNode k = entry.get("formatted").get("key");
            JsonNode v = entry.get("formatted").get("value");
            int family = k.get("family").asInt();
            fromBpftool.add(List.of(Bpftool.address(k.get("client"), family), family, k.get("service_id").asInt(),
                    v.get("backend_id").asInt(), v.get("last_used_ns").asLong()));
        }
        assertThat(fromCli).hasSize(5).isEqualTo(fromBpftool);
    }

    @Test
    void statsAreThePerCpuCountersSummed() {
        JsonNode cli = cliJson("stats");
        Map<Integer, List<Long>> fromBpftool = new HashMap<>();
        for (JsonNode entry : dump(DatapathMaps.TRAFFIC)) {
            long packets = 0;
            long bytes = 0;
            for (JsonNode cpu : entry.get("formatted").get("values")) {
                packets += cpu.get("value").get("packets").asLong();
                bytes += cpu.get("value").get("bytes").asLong();
            }
            fromBpftool.put(entry.get("formatted").get("key").asInt(), List.of(packets, bytes));
        }
        Map<Integer, List<Long>> fromCli = new HashMap<>();
        for (JsonNode t : cli.get("services")) {
            fromCli.put(t.get("serviceId").asInt(), List.of(t.get("packets").asLong(), t.get("bytes").asLong()));
        }
        assertThat(fromCli).isEqualTo(fromBpftool);
        assertThat(fromCli.get(3).getFirst()).as("7 written + 3 queries run through XDP").isEqualTo(10);

        Map<Integer, Long> drops = new HashMap<>();
        for (JsonNode entry : dump(DatapathMaps.DROPS)) {
            long sum = 0;
            for (JsonNode cpu : entry.get("formatted").get("values")) {
                sum += cpu.get("value").asLong();
            }
            drops.put(entry.get("formatted").get("key").asInt(), sum);
        }
        Map<Integer, Long> cliDrops = new HashMap<>();
        List<String> reasons = new ArrayList<>();
        for (JsonNode d : cli.get("drops")) {
            cliDrops.put(d.get("code").asInt(), d.get("packets").asLong());
            reasons.add(d.get("reason").asText());
        }
        assertThat(cliDrops).isEqualTo(drops);
        assertThat(reasons).containsExactly("no_backend", "rejected_no_backend", "source_range",
                "snat_ports_exhausted", "conntrack_full", "backend_missing", "fib_failed", "rewrite_failed",
                "reply_rate_limited", "no_connection", "packet_too_big", "needs_fragmenting", "ttl_expired",
                "fib_blackhole", "fib_unreachable", "fib_prohibit", "fib_not_forwarded", "fib_forwarding_disabled",
                "fib_unsupported_lwt", "fib_no_source_address");
    }

    @Test
    void aFreshEntryIsSecondsOldOnTheRealMonotonicClock() {
        // bpf_ktime_get_ns and System.nanoTime both read CLOCK_MONOTONIC: an entry the XDP run just
        // made is at most as old as this test class.
        StringWriter out = new StringWriter();
        int code = Sluice.execute(new String[] {"ct", "--address", "198.18.0.20", "-o", "json", "--bpffs-root",
            lab.root().toString()}, new PrintWriter(out), new PrintWriter(new StringWriter()), Map.of(),
                System::nanoTime);
        assertThat(code).isZero();
        try {
            JsonNode entries = Bpftool.JSON.readTree(out.toString());
            assertThat(entries).hasSize(2);
            for (JsonNode e : entries) {
                assertThat(e.get("ageNs").asLong()).isBetween(0L, 120_000_000_000L);
                assertThat(e.get("expired").asBoolean()).isFalse();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<List<Object>> connections(JsonNode cli) {
        Set<List<Object>> set = new HashSet<>();
        for (JsonNode e : cli) {
            JsonNode t = e.get("translation");
            set.add(List.of(ip(e.get("source").get("address").asText()), e.get("source").get("port").asInt(),
                    ip(e.get("destination").get("address").asText()), e.get("destination").get("port").asInt(),
                    protocol(e.get("protocol").asText()), e.get("family").asInt(),
                    ip(t.get("source").get("address").asText()), t.get("source").get("port").asInt(),
                    ip(t.get("destination").get("address").asText()), t.get("destination").get("port").asInt(),
                    e.get("backendId").asInt(), e.get("serviceId").asInt(),
                    List.of("new", "established", "closing", "closed").indexOf(e.get("state").asText()),
                    List.of("forward", "reply").indexOf(e.get("direction").asText()), e.get("flags").asInt(),
                    e.get("lastSeenNs").asLong()));
        }
        return set;
    }

    private Set<List<Object>> conntrackDump(boolean snatOnly) {
        Set<List<Object>> set = new HashSet<>();
        for (JsonNode entry : dump(DatapathMaps.CONNTRACK)) {
            JsonNode k = entry.get("formatted").get("key");
            JsonNode v = entry.get("formatted").get("value");
            if (snatOnly && (v.get("flags").asInt() & 1) == 0) {
                continue;
            }
            int family = k.get("family").asInt();
            set.add(List.of(Bpftool.address(k.get("src"), family), Bpftool.be16(k.get("sport")),
                    Bpftool.address(k.get("dst"), family), Bpftool.be16(k.get("dport")), k.get("protocol").asInt(),
                    family, Bpftool.address(v.get("nat_src"), family), Bpftool.be16(v.get("nat_sport")),
                    Bpftool.address(v.get("nat_dst"), family), Bpftool.be16(v.get("nat_dport")),
                    v.get("backend_id").asInt(), v.get("service_id").asInt(), v.get("state").asInt(),
                    v.get("direction").asInt(), v.get("flags").asInt(), v.get("last_seen_ns").asLong()));
        }
        return set;
    }

    private static Map<Integer, JsonNode> formattedById(JsonNode dump) {
        Map<Integer, JsonNode> byId = new HashMap<>();
        for (JsonNode entry : dump) {
            byId.put(entry.get("formatted").get("key").asInt(), entry.get("formatted").get("value"));
        }
        return byId;
    }

    /** svc_maglev has no BTF for its values: raw key = service id, raw value = inner map id. */
    private Map<Integer, Long> innerMapIds() {
        Map<Integer, Long> ids = new HashMap<>();
        for (JsonNode entry : dump(DatapathMaps.MAGLEV)) {
            ids.put((int) Bpftool.rawU32(entry.get("key")), Bpftool.rawU32(entry.get("value")));
        }
        return ids;
    }

    private Map<Integer, Map<Integer, Integer>> maglevSlotCounts() {
        Map<Integer, Map<Integer, Integer>> counts = new HashMap<>();
        innerMapIds().forEach((service, innerId) -> {
            Map<Integer, Integer> perBackend = new HashMap<>();
            for (JsonNode entry : Bpftool.dumpId(innerId)) {
                perBackend.merge((int) Bpftool.rawU32(entry.get("value")), 1, Integer::sum);
            }
            counts.put(service, perBackend);
        });
        return counts;
    }
}
