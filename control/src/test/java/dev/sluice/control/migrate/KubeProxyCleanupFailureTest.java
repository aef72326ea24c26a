package dev.sluice.control.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ffm.sys.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** A tool that fails stops the cleanup with a message naming it, and nothing after it is touched. */
class KubeProxyCleanupFailureTest {

    /** Tools that answer from a script and record every call; only the listed binaries are "installed". */
    private static class ScriptedTools implements NodeTools {
        final List<String> calls = new ArrayList<>();
        final List<String> inputs = new ArrayList<>();
        final Set<String> installed;
        final Function<List<String>, Command.Result> answer;

        ScriptedTools(Set<String> installed, Function<List<String>, Command.Result> answer) {
            this.installed = installed;
            this.answer = answer;
        }

        /**
         * Tools on a node with the v4 iptables fixture whose input files (restores, nft -f) are all
         * accepted except those {@code failing} matches, which get {@code failure}; nothing else may run.
         */
        static ScriptedTools writesFailing(Set<String> installed, Predicate<String> failing, Command.Result failure) {
            return new ScriptedTools(installed, command -> switch (command.getFirst()) {
                case "iptables-nft-save" -> ok(Fixtures.read("iptables-v4.rules"));
                default -> throw new AssertionError("must not run after the failure: " + command);
            }) {
                @Override
                public Command.Result runWithInputFile(String input, List<String> command) {
                    inputs.add(input);
                    calls.add(String.join(" ", command));
                    return failing.test(input) ? failure : ok("");
                }
            };
        }

        @Override
        public Command.Result run(List<String> command) {
            calls.add(String.join(" ", command));
            return answer.apply(command);
        }

        @Override
        public Command.Result runWithInputFile(String input, List<String> command) {
            inputs.add(input);
            return run(command);
        }

        @Override
        public boolean installed(String binary) {
            return installed.contains(binary);
        }
    }

    private static Command.Result ok(String stdout) {
        return new Command.Result(0, stdout, "");
    }

    @Test
    void aFailedRestoreNamesToolAndTableAndStopsBeforeTheNextTable() {
        ScriptedTools tools = ScriptedTools.writesFailing(
                Set.of("iptables-nft-save", "iptables-nft-restore", "ip6tables-nft-save", "ip6tables-nft-restore", "nft"),
                input -> input.startsWith("*filter"), new Command.Result(4, "", "iptables-nft-restore v1.8.9 (nf_tables): "
                        + "line 9: CHAIN_USER_DEL failed (Device or resource busy): chain KUBE-SERVICES\n"));

        CleanupFailure failure = assertThrows(CleanupFailure.class, () -> KubeProxyCleanup.run(tools));

        assertEquals("'iptables-nft-restore --noflush -w 5' failed to remove 6 kube-proxy chains and 9 jumps to them "
                + "(iptables-nft table filter): exit 4: iptables-nft-restore v1.8.9 (nf_tables): line 9: "
                + "CHAIN_USER_DEL failed (Device or resource busy): chain KUBE-SERVICES", failure.getMessage());
        // The handoff table first, then mangle, which was cleaned; nat (after filter), IPv6, nftables
        // and IPVS were never touched.
        assertEquals(List.of("iptables-nft-save", "nft -f", "iptables-nft-restore --noflush -w 5",
                "iptables-nft-restore --noflush -w 5"), tools.calls);
        assertEquals(3, tools.inputs.size());
        assertEquals(ConntrackHandoff.SCRIPT, tools.inputs.get(0));
        assertTrue(tools.inputs.get(1).startsWith("*mangle\n"));
    }

    @Test
    void aHandoffThatCannotBeAddedStopsTheCleanupBeforeAnythingIsRemoved() {
        ScriptedTools tools = ScriptedTools.writesFailing(Set.of("iptables-nft-save", "iptables-nft-restore", "nft"),
                ConntrackHandoff.SCRIPT::equals,
                new Command.Result(1, "", "Error: Could not process rule: No such file or directory\n"));

        CleanupFailure failure = assertThrows(CleanupFailure.class, () -> KubeProxyCleanup.run(tools));

        assertEquals("'nft -f' failed to keep nf_conntrack running for the connections kube-proxy translated "
                + "(nftables table inet sluice-handoff): exit 1: Error: Could not process rule: No such file or directory",
                failure.getMessage());
        assertEquals(List.of("iptables-nft-save", "nft -f"), tools.calls);
    }

    @Test
    void aFailedListingNamesTheToolAndChangesNothing() {
        ScriptedTools tools = new ScriptedTools(Set.of("iptables-nft-save", "iptables-nft-restore", "nft"),
                command -> switch (command.getFirst()) {
                    case "iptables-nft-save" -> ok("");
                    case "nft" -> new Command.Result(1, "", "Error: cannot open socket: Operation not permitted\n");
                    default -> throw new AssertionError("unexpected " + command);
                });

        CleanupFailure failure = assertThrows(CleanupFailure.class, () -> KubeProxyCleanup.run(tools));

        assertEquals("'nft list tables' failed to list the tables (nftables, all families): exit 1: "
                + "Error: cannot open socket: Operation not permitted", failure.getMessage());
        assertTrue(tools.inputs.isEmpty(), "nothing was written");
        assertEquals(List.of("iptables-nft-save", "nft list tables"), tools.calls);
    }

    @Test
    void absentBackendsAreSkippedAndANodeWithoutKubeProxyIsLeftAlone() {
        ScriptedTools tools = new ScriptedTools(Set.of("iptables-legacy-save", "iptables-legacy-restore", "nft", "ipset"),
                command -> switch (String.join(" ", command)) {
                    case "iptables-legacy-save" -> ok("*filter\n:INPUT ACCEPT [0:0]\n:KUBE-FIREWALL - [0:0]\n"
                            + "-A INPUT -j KUBE-FIREWALL\nCOMMIT\n");
                    case "nft list tables" -> ok("table inet filter\ntable ip kube-proxy-lookalike\ntable inet kube-proxy\n");
                    case "ip -d link show kube-ipvs0" -> new Command.Result(1, "", "Device \"kube-ipvs0\" does not exist.\n");
                    case "ipset list -n" -> ok("KUBE-SRC-ADMINS\nusers\n");
                    default -> throw new AssertionError("unexpected " + command);
                });

        KubeProxyCleanup.Removed removed = KubeProxyCleanup.run(tools);

        assertEquals(new KubeProxyCleanup.Removed(0, 0, 0), removed);
        assertTrue(tools.inputs.isEmpty(), "nothing was written");
        assertEquals(List.of("iptables-legacy-save", "nft list tables", "ip -d link show kube-ipvs0", "ipset list -n"),
                tools.calls);
    }
}
