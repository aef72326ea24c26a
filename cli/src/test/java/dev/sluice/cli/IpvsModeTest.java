package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.ipvs.IpvsStateFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which datapath the CLI reads, without a kernel: services.json decides, --datapath overrides. */
class IpvsModeTest {
    @ParameterizedTest
    @ValueSource(strings = {"maglev 1", "ct", "nat", "affinity", "stats"})
    void onAnIpvsNodeTheMapCommandsSaySoInOneLine(String command, @TempDir Path runDir) {
        IpvsStateFile.in(runDir).write(List.of());
        CliRun run = CliRun.of(Map.of("SLUICE_IPVS_RUN_DIR", runDir.toString()), command.split(" "));
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NO_MAPS);
        assertThat(run.err()).isEqualTo("sluice: this node runs the IPVS datapath (" + runDir.resolve("services.json")
                + " exists), which has no BPF maps: only services, backends and status work here "
                + "(--datapath ebpf reads pinned maps anyway)\n");
    }

    @Test
    void withoutTheStateFileTheEbpfMapsAreReadAsBefore(@TempDir Path temp) {
        Path root = temp.resolve("bpffs");
        CliRun run = CliRun.of(Map.of("SLUICE_IPVS_RUN_DIR", temp.resolve("no-ipvs").toString()),
                "services", "--bpffs-root", root.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NO_MAPS);
        assertThat(run.err()).startsWith("sluice: no sluice maps at " + root.resolve("maps"));
    }

    @Test
    void datapathEbpfReadsTheMapsEvenWhereTheStateFileExists(@TempDir Path temp) {
        Path runDir = temp.resolve("run");
        IpvsStateFile.in(runDir).write(List.of());
        Path root = temp.resolve("bpffs");
        CliRun run = CliRun.of(Map.of(), "backends", "--datapath", "ebpf", "--ipvs-run-dir", runDir.toString(),
                "--bpffs-root", root.toString());
        assertThat(run.err()).startsWith("sluice: no sluice maps at " + root.resolve("maps"));
    }

    @Test
    void datapathIpvsWithoutTheStateFileNamesTheFile(@TempDir Path runDir) {
        CliRun run = CliRun.of(Map.of(), "services", "--datapath", "ipvs", "--ipvs-run-dir", runDir.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NO_MAPS);
        assertThat(run.err()).startsWith("sluice: no IPVS state: " + runDir.resolve("services.json")
                + " does not exist").hasLineCount(1);
    }

    @Test
    void aBadStateFileIsOneLineNamingTheEntryAndField(@TempDir Path runDir) throws Exception {
        Files.writeString(runDir.resolve("services.json"), """
                {"version": 1, "services": [{"family": 4, "protocol": "TCP", "address": "10.96.0.10", "port": 80,
                 "namespace": "ns", "name": "web", "portName": "http", "kind": "ClusterIP", "scheduler": "rr",
                 "affinityTimeoutSeconds": "none", "externalTrafficLocal": false, "internalTrafficLocal": false}]}
                """);
        CliRun run = CliRun.of(Map.of("SLUICE_IPVS_RUN_DIR", runDir.toString()), "services");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(run.err()).isEqualTo("sluice: IPVS state file " + runDir.resolve("services.json")
                + ": services[0]: field 'affinityTimeoutSeconds' must be an integer, is \"none\"\n");
    }
}
