package dev.sluice.control.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ffm.sys.Command;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.KernelRequirements;
import dev.sluice.ffm.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cleanup against the real tools and kernel, inside a namespace of its own: kube-proxy's rules
 * in their real shapes go in through both iptables backends and both families, and nftables,
 * beside kubelet's, Docker's and an admin's; afterwards only kube-proxy's are gone.
 */
@KernelTest
class KubeProxyCleanupKernelTest {
    private static final List<String> BACKENDS = List.of("iptables-nft", "ip6tables-nft", "iptables-legacy", "ip6tables-legacy");

    /** kube-proxy's chains in iptables-v4.rules and iptables-v6.rules, listed by hand rather than by the code under test. */
    private static final Set<String> IPTABLES_MODE_CHAINS = Set.of("KUBE-PROXY-CANARY", "KUBE-EXTERNAL-SERVICES",
            "KUBE-FORWARD", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL", "KUBE-SERVICES", "KUBE-EXT-LOZ4UCBMQ5T2OZ4Q",
            "KUBE-MARK-MASQ", "KUBE-POSTROUTING", "KUBE-SEP-6E7XQMQ4RAYOWTTM", "KUBE-SEP-IT2ZTR26TO4XFPTO",
            "KUBE-SEP-N4G2XR5TDX7PQE7P", "KUBE-SVC-LOZ4UCBMQ5T2OZ4Q", "KUBE-SVC-NPX46M4PTMTKRN6Y");

    /** Likewise for iptables-ipvs-v4.rules. */
    private static final Set<String> IPVS_MODE_CHAINS = Set.of("KUBE-FORWARD", "KUBE-IPVS-FILTER", "KUBE-IPVS-OUT-FILTER",
            "KUBE-NODE-PORT", "KUBE-PROXY-FIREWALL", "KUBE-SOURCE-RANGES-FIREWALL", "KUBE-MARK-MASQ",
            "KUBE-POSTROUTING", "KUBE-SERVICES");

    private NetworkNamespace namespace;
    private NodeTools tools;

    @BeforeEach
    void createNamespace() {
        for (String tool : List.of("iptables-nft-restore", "iptables-legacy-restore", "ip6tables-nft-restore",
                "ip6tables-legacy-restore", "nft", "ipset")) {
            requireTool(tool);
        }
        namespace = NetworkNamespace.create("sl-kp" + ProcessHandle.current().pid() % 100000);
        // Every tool runs through 'ip netns exec': nothing here may ever reach the host's own rules.
        tools = NodeTools.inNamespace(namespace.name());
    }

    @AfterEach
    void deleteNamespace() {
        if (namespace != null) {
            namespace.close();
        }
    }

    @Test
    void removesKubeProxysIptablesAndNftablesRulesAndNothingElse() throws IOException {
        for (String backend : BACKENDS) {
            load(backend + "-restore", backend.startsWith("ip6") ? "iptables-v6.rules" : "iptables-v4.rules");
        }
        load("nft", "-f", "nftables-ip.nft");
        load("nft", "-f", "nftables-ip6.nft");
        load("nft", "-f", "nftables-others.nft");
        Map<String, String> before = saves();
        String tablesBefore = namespace.exec("nft", "list", "tables");
        Map<String, String> othersBefore = otherNftTables();
        for (String backend : BACKENDS) {
            assertTrue(before.get(backend).contains(":KUBE-SVC-NPX46M4PTMTKRN6Y"), backend + " has the fixture loaded");
        }

        KubeProxyCleanup.Removed removed = KubeProxyCleanup.run(tools);

        // mangle 1 + filter 6 + nat 11 chains, in each of the four backends.
        assertEquals(new KubeProxyCleanup.Removed(4 * 18, 2, 0), removed);
        Map<String, String> after = saves();
        for (String backend : BACKENDS) {
            String expected = withoutChains(before.get(backend), IPTABLES_MODE_CHAINS);
            assertNotEquals(before.get(backend), expected, "the fixture had kube-proxy's lines in " + backend);
            assertEquals(expected, after.get(backend), backend + ": exactly kube-proxy's chains and jumps are gone");
            for (String kept : List.of(":KUBE-KUBELET-CANARY", ":KUBE-FIREWALL", "-A INPUT -j KUBE-FIREWALL",
                    ":KUBE-IPTABLES-HINT", ":DOCKER-USER", "-A ADMIN-SSH", "-A ADMIN-NAT")) {
                assertTrue(after.get(backend).contains(kept), backend + " still has " + kept);
            }
        }
        // kube-proxy's tables went, and the handoff table that keeps its connections' NAT came.
        assertEquals(Arrays.stream(tablesBefore.split("\n"))
                        .filter(line -> !line.equals("table ip kube-proxy") && !line.equals("table ip6 kube-proxy"))
                        .collect(Collectors.joining("\n")) + "\ntable inet " + ConntrackHandoff.TABLE,
                namespace.exec("nft", "list", "tables").strip());
        assertEquals(othersBefore, otherNftTables());

        KubeProxyCleanup.Removed again = KubeProxyCleanup.run(tools);

        assertEquals(new KubeProxyCleanup.Removed(0, 0, 0), again);
        assertEquals(after, saves());
        assertEquals(othersBefore, otherNftTables());
    }

    @Test
    void removesIpvsModeChainsAndIpsetsButNotSetsOthersStillUse() throws IOException {
        // The sets first: a rule cannot match on a set that does not exist yet.
        namespace.exec("ipset", "restore", "-file", fixtureFile("ipsets-ipvs.txt").toString());
        load("iptables-nft-restore", "iptables-ipvs-v4.rules");
        // No dummy driver on this kernel: a veth takes the name, and must survive as it is not kube-proxy's.
        namespace.exec("ip", "link", "add", IpvsCleaner.DUMMY, "type", "veth", "peer", "name", "sl-kp-peer");
        String before = save("iptables-nft");

        KubeProxyCleanup.Removed removed = KubeProxyCleanup.run(tools);

        // filter 6 + nat 4 chains (KUBE-NODE-PORT is in both); 7 of the 8 kube-proxy sets.
        assertEquals(new KubeProxyCleanup.Removed(10, 0, 7), removed);
        assertEquals(withoutChains(before, IPVS_MODE_CHAINS), save("iptables-nft"));
        assertEquals(List.of("KUBE-LOAD-BALANCER", "KUBE-SRC-ADMINS", "admins"), ipsets());
        assertEquals(0, Command.execute("ip", "netns", "exec", namespace.name(), "ip", "link", "show",
                IpvsCleaner.DUMMY).exitCode(), "a kube-ipvs0 that is not a dummy stays");

        assertEquals(new KubeProxyCleanup.Removed(0, 0, 0), KubeProxyCleanup.run(tools));
        assertEquals(List.of("KUBE-LOAD-BALANCER", "KUBE-SRC-ADMINS", "admins"), ipsets());
    }

    private void load(String... commandThenFixture) throws IOException {
        String[] command = commandThenFixture.clone();
        command[command.length - 1] = fixtureFile(command[command.length - 1]).toString();
        namespace.exec(command);
    }

    private static Path fixtureFile(String name) throws IOException {
        Path file = Files.createTempFile("sl-kp-fixture-", "-" + name);
        file.toFile().deleteOnExit();
        Files.writeString(file, Fixtures.read(name));
        return file;
    }

    private Map<String, String> saves() {
        Map<String, String> saves = new LinkedHashMap<>();
        for (String backend : BACKENDS) {
            saves.put(backend, save(backend));
        }
        return saves;
    }

    /** The backend's rules without comment lines (timestamps, warnings) and with counters zeroed. */
    private String save(String backend) {
        return Arrays.stream(namespace.exec(backend + "-save").split("\n"))
                .filter(line -> !line.startsWith("#"))
                .map(line -> line.replaceAll("\\[\\d+:\\d+\\]", "[0:0]"))
                .collect(Collectors.joining("\n"));
    }

    /** {@code save} without every line that declares, fills or jumps to one of {@code chains}. */
    private static String withoutChains(String save, Set<String> chains) {
        return Arrays.stream(save.split("\n"))
                .filter(line -> Arrays.stream(line.split("\\s+")).map(word -> word.startsWith(":") ? word.substring(1) : word)
                        .noneMatch(chains::contains))
                .collect(Collectors.joining("\n"));
    }

    private Map<String, String> otherNftTables() {
        Map<String, String> tables = new LinkedHashMap<>();
        for (String table : List.of("inet filter", "ip kube-proxy-lookalike", "ip6 kube-proxy-v6-mirror")) {
            String[] words = table.split(" ");
            tables.put(table, namespace.exec("nft", "list", "table", words[0], words[1]));
        }
        assertFalse(tables.values().stream().anyMatch(String::isBlank));
        return tables;
    }

    private List<String> ipsets() {
        return Arrays.stream(namespace.exec("ipset", "list", "-n").split("\n")).map(String::strip)
                .filter(name -> !name.isEmpty()).sorted().toList();
    }

    private static void requireTool(String tool) {
        if (NodeTools.local().installed(tool)) {
            return;
        }
        String message = "needs " + tool + " (bin/setup installs it)";
        if (KernelRequirements.runningInCi()) {
            throw new IllegalStateException(message + " (CI=true: failing instead of skipping)");
        }
        Assumptions.abort(message);
    }
}
