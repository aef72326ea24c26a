package dev.sluice.control.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Which chains and jumps of an iptables-save are kube-proxy's, from text alone. */
class IptablesTablePlanTest {

    private static IptablesSave.Table table(IptablesSave save, String name) {
        return save.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void selectsKubeProxysChainsOfAnIptablesModeNode() {
        IptablesSave save = IptablesSave.parse(Fixtures.read("iptables-v4.rules"));
        assertEquals(List.of("mangle", "filter", "nat"), save.tables().stream().map(IptablesSave.Table::name).toList());

        IptablesTablePlan nat = IptablesTablePlan.of(table(save, "nat"));
        assertEquals(new TreeSet<>(List.of("KUBE-EXT-LOZ4UCBMQ5T2OZ4Q", "KUBE-MARK-MASQ", "KUBE-NODEPORTS",
                "KUBE-POSTROUTING", "KUBE-PROXY-CANARY", "KUBE-SEP-6E7XQMQ4RAYOWTTM", "KUBE-SEP-IT2ZTR26TO4XFPTO",
                "KUBE-SEP-N4G2XR5TDX7PQE7P", "KUBE-SERVICES", "KUBE-SVC-LOZ4UCBMQ5T2OZ4Q",
                "KUBE-SVC-NPX46M4PTMTKRN6Y")), new TreeSet<>(nat.chains()));
        assertEquals(List.of(
                "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING"),
                nat.jumps().stream().map(IptablesSave.Rule::line).toList());
        assertEquals(21, nat.rulesInChains(table(save, "nat")));
        assertTrue(nat.kept().isEmpty());

        IptablesTablePlan filter = IptablesTablePlan.of(table(save, "filter"));
        // KUBE-FIREWALL in filter is kubelet's (its localnet rule), and so are its INPUT/OUTPUT jumps.
        assertEquals(new TreeSet<>(List.of("KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS",
                "KUBE-PROXY-CANARY", "KUBE-PROXY-FIREWALL", "KUBE-SERVICES")), new TreeSet<>(filter.chains()));
        assertEquals(9, filter.jumps().size());
        assertTrue(filter.jumps().stream().noneMatch(j -> j.line().contains("KUBE-FIREWALL ")
                || j.line().endsWith("-j KUBE-FIREWALL")));

        IptablesTablePlan mangle = IptablesTablePlan.of(table(save, "mangle"));
        assertEquals(List.of("KUBE-PROXY-CANARY"), mangle.chains());
        assertEquals("*mangle\n:KUBE-PROXY-CANARY - [0:0]\n-X KUBE-PROXY-CANARY\nCOMMIT\n", mangle.restoreInput());
    }

    @Test
    void restoreInputFlushesThenUnlinksThenDeletes() {
        IptablesSave save = IptablesSave.parse("""
                *nat
                :PREROUTING ACCEPT [7:420]
                :POSTROUTING ACCEPT [0:0]
                :KUBE-SERVICES - [0:0]
                :KUBE-POSTROUTING - [0:0]
                -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
                -A POSTROUTING -s 10.0.0.0/8 -j MASQUERADE
                -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
                COMMIT
                """);
        assertEquals("""
                *nat
                :KUBE-SERVICES - [0:0]
                :KUBE-POSTROUTING - [0:0]
                -D PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -D POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
                -X KUBE-SERVICES
                -X KUBE-POSTROUTING
                COMMIT
                """, IptablesTablePlan.of(table(save, "nat")).restoreInput());
    }

    @Test
    void keepsKubeProxyChainsThatAnotherChainStillUses() {
        IptablesSave save = IptablesSave.parse("""
                *nat
                :OUTPUT ACCEPT [0:0]
                :CNI-HOSTPORT - [0:0]
                :KUBE-MARK-MASQ - [0:0]
                :KUBE-SERVICES - [0:0]
                :KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]
                :KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
                -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -A CNI-HOSTPORT -j KUBE-MARK-MASQ
                -A CNI-HOSTPORT -d 10.96.0.1/32 -g KUBE-SVC-AAAAAAAAAAAAAAAA
                -A KUBE-SERVICES -d 10.96.0.1/32 -j KUBE-SVC-AAAAAAAAAAAAAAAA
                -A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-BBBBBBBBBBBBBBBB
                -A KUBE-SEP-BBBBBBBBBBBBBBBB -j KUBE-MARK-MASQ
                COMMIT
                """);
        IptablesTablePlan plan = IptablesTablePlan.of(table(save, "nat"));
        // The SVC chain is kept for CNI-HOSTPORT's goto, and so the SEP chain it jumps to.
        assertEquals(List.of("KUBE-SERVICES"), plan.chains());
        assertEquals(Map.of("KUBE-MARK-MASQ", "CNI-HOSTPORT", "KUBE-SVC-AAAAAAAAAAAAAAAA", "CNI-HOSTPORT",
                "KUBE-SEP-BBBBBBBBBBBBBBBB", "KUBE-SVC-AAAAAAAAAAAAAAAA"), plan.kept());
        assertEquals(1, plan.jumps().size());
    }

    @Test
    void nothingToDoOnANodeWithoutKubeProxy() {
        IptablesSave save = IptablesSave.parse("""
                # Generated by iptables-save v1.8.9 on Mon Dec  7 06:59:07 2026
                *filter
                :INPUT ACCEPT [0:0]
                :KUBE-FIREWALL - [0:0]
                :KUBE-KUBELET-CANARY - [0:0]
                -A INPUT -j KUBE-FIREWALL
                -A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
                COMMIT
                *nat
                :PREROUTING ACCEPT [0:0]
                :KUBE-MARK-DROP - [0:0]
                :KUBE-KUBELET-CANARY - [0:0]
                -A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000
                COMMIT
                # Completed on Mon Dec  7 06:59:07 2026
                """);
        for (IptablesSave.Table table : save.tables()) {
            assertTrue(IptablesTablePlan.of(table).empty(), table.name());
        }
    }

    @Test
    void ownershipIsPerTable() {
        assertTrue(KubeProxyChains.owns("nat", "KUBE-FIREWALL"), "IPVS mode's LoadBalancer source-range chain");
        assertFalse(KubeProxyChains.owns("filter", "KUBE-FIREWALL"), "kubelet's");
        assertTrue(KubeProxyChains.owns("nat", "KUBE-SVL-ABCDEFGHIJKLMNOP"));
        assertFalse(KubeProxyChains.owns("filter", "KUBE-SVC-ABCDEFGHIJKLMNOP"));
        assertTrue(KubeProxyChains.owns("mangle", "KUBE-PROXY-CANARY"));
        assertFalse(KubeProxyChains.owns("mangle", "KUBE-IPTABLES-HINT"));
        assertFalse(KubeProxyChains.owns("nat", "KUBE-MARK-DROP"));
        assertFalse(KubeProxyChains.owns("nat", "KUBE-SERVICES-ADMIN"));
    }

    @Test
    void parsesQuotesTargetsAndIncompatibleTables() {
        assertEquals(List.of("-A", "X", "-m", "comment", "--comment", "say \"hi\" -j NOPE", "-j", "ACCEPT"),
                IptablesSave.words("-A X -m comment --comment \"say \\\"hi\\\" -j NOPE\" -j ACCEPT"));
        IptablesSave save = IptablesSave.parse("""
                # Table `nat' is incompatible, use 'nft' tool.
                *filter
                :INPUT ACCEPT [0:0]
                -A INPUT -m comment --comment "-j KUBE-SERVICES" -j ACCEPT
                -A INPUT -p tcp
                COMMIT
                """);
        assertEquals(Set.of("nat"), save.incompatible());
        assertEquals(List.of(Optional.of("ACCEPT"), Optional.empty()),
                table(save, "filter").rules().stream().map(IptablesSave.Rule::target).toList());
        assertThrows(IllegalArgumentException.class, () -> IptablesSave.parse("*nat\n:A - [0:0]\n"));
        assertThrows(IllegalArgumentException.class, () -> IptablesSave.parse("-A INPUT -j ACCEPT\n"));
    }
}
