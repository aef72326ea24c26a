package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Help, usage errors and the completion script: no kernel needed. */
class CommandLineTest {
    @ParameterizedTest
    @ValueSource(strings = {"services", "backends", "maglev", "ct", "nat", "affinity", "stats", "status", "completion"})
    void everyCommandHasHelp(String command) {
        CliRun run = CliRun.of(command, "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("Usage: sluice " + command + " [-hV]");
        if (!command.equals("completion")) {
            assertThat(run.out()).contains("--bpffs-root=DIR").contains("-o, --output=FORMAT");
        }
    }

    @Test
    void theTopLevelHelpListsCommandsAndExitCodes() {
        CliRun run = CliRun.of("--help");
        assertThat(run.exitCode()).isZero();
        Golden.assertMatches("help.txt", run.out());
    }

    @Test
    void anUnknownOptionIsOneLineAndExitsTwo() {
        CliRun run = CliRun.of("services", "--frobnicate");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("sluice: Unknown option: '--frobnicate' (see 'sluice services --help')\n");
    }

    @Test
    void anUnknownOutputFormatIsAUsageError() {
        CliRun run = CliRun.of("stats", "-o", "yaml");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("yaml").hasLineCount(1);
    }

    @Test
    void anUnknownProtocolIsAUsageError() {
        CliRun run = CliRun.of("ct", "--protocol", "icmp", "--bpffs-root", "/nonexistent");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).isEqualTo("sluice: --protocol: unknown protocol 'icmp' (tcp, udp, sctp)\n");
    }

    @Test
    void completionPrintsABashScriptForEveryCommand() {
        CliRun run = CliRun.of("completion");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_sluice")
                .contains("services").contains("maglev").contains("affinity").contains("--bpffs-root")
                .contains("--output");
    }
}
