package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** No maps where they were looked for: one line naming the path tried, exit 3, for every map command. */
class MissingMapsTest {
    @ParameterizedTest
    @ValueSource(strings = {"services", "backends", "maglev 1", "ct", "nat", "affinity", "stats"})
    void aMissingBpffsRootIsNamedInOneLine(String command, @TempDir Path temp) {
        Path root = temp.resolve("no-agent-here");
        String[] args = (command + " --bpffs-root " + root).split(" ");
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NO_MAPS);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("sluice: no sluice maps at " + root.resolve("maps") + ": " + root
                + " does not exist (has the agent run on this node? is --bpffs-root or SLUICE_BPFFS_ROOT right?)\n");
    }

    @Test
    void theEnvironmentGivesTheDefaultRoot(@TempDir Path temp) {
        Path root = temp.resolve("from-env");
        CliRun run = CliRun.of(Map.of("SLUICE_BPFFS_ROOT", root.toString()), "services");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NO_MAPS);
        assertThat(run.err()).startsWith("sluice: no sluice maps at " + root.resolve("maps") + ": ");
    }

    @Test
    void theOptionWinsOverTheEnvironment(@TempDir Path temp) {
        Path root = temp.resolve("from-option");
        CliRun run = CliRun.of(Map.of("SLUICE_BPFFS_ROOT", "/nonexistent/env"), "--bpffs-root", root.toString(), "ct");
        assertThat(run.err()).startsWith("sluice: no sluice maps at " + root.resolve("maps") + ": ");
    }

    @Test
    void aRootWithoutItsMapsDirectoryNamesTheMapsDirectory(@TempDir Path root) {
        CliRun run = CliRun.of("stats", "--bpffs-root", root.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NO_MAPS);
        assertThat(run.err()).startsWith("sluice: no sluice maps at " + root.resolve("maps") + ": "
                + root.resolve("maps") + " does not exist").hasLineCount(1);
    }

    @Test
    void aMapsDirectoryWithoutTheMapNamesTheMissingPin(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("maps"));
        CliRun run = CliRun.of("backends", "--bpffs-root", root.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NO_MAPS);
        assertThat(run.err()).isEqualTo("sluice: map svc_frontends is not pinned at " + root.resolve("maps/svc_frontends")
                + " (agent not running, or older than this CLI?)\n");
    }
}
