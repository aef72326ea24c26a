package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.DatapathMaps;
import dev.sluice.ffm.MapHandle;
import dev.sluice.ffm.MapType;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.PrivateBpffs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Maps of another layout under the expected names, and callers without the privileges to open them. */
@KernelTest
class LayoutAndPrivilegeTest {

    private static void pin(PrivateBpffs bpffs, String name, MapType type, int keySize, int valueSize) throws Exception {
        Files.createDirectories(bpffs.root().resolve("maps"));
        try (MapHandle map = MapHandle.create(type, "wrong", keySize, valueSize, 4, 0)) {
            map.pin(bpffs.root().resolve("maps").resolve(name));
        }
    }

    @Test
    void aMapWithOtherSizesSaysTheVersionsDiffer() throws Exception {
        try (PrivateBpffs bpffs = PrivateBpffs.mount()) {
            pin(bpffs, DatapathMaps.FRONTENDS, MapType.HASH, 16, 8);
            CliRun run = CliRun.of("services", "--bpffs-root", bpffs.root().toString());
            assertThat(run.exitCode()).isEqualTo(ExitCodes.VERSION_MISMATCH);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).isEqualTo("sluice: map svc_frontends has key/value sizes 16/8, "
                    + "this sluice CLI expects 20/8: versions differ\n");
        }
    }

    @Test
    void aPerCpuMapWithOtherValueSizeSaysTheVersionsDiffer() throws Exception {
        try (PrivateBpffs bpffs = PrivateBpffs.mount()) {
            pin(bpffs, DatapathMaps.NAMES, MapType.HASH, 4, 144);
            pin(bpffs, DatapathMaps.TRAFFIC, MapType.PERCPU_HASH, 4, 24);
            CliRun run = CliRun.of("stats", "--bpffs-root", bpffs.root().toString());
            assertThat(run.exitCode()).isEqualTo(ExitCodes.VERSION_MISMATCH);
            assertThat(run.err()).isEqualTo("sluice: map svc_names has key/value sizes 4/144, "
                    + "this sluice CLI expects 4/148: versions differ\n");
        }
    }

    @Test
    void aMapOfAnotherTypeSaysTheVersionsDiffer() throws Exception {
        try (PrivateBpffs bpffs = PrivateBpffs.mount()) {
            pin(bpffs, DatapathMaps.NAMES, MapType.HASH, 4, 148);
            pin(bpffs, DatapathMaps.TRAFFIC, MapType.HASH, 4, 16);
            CliRun run = CliRun.of("stats", "--bpffs-root", bpffs.root().toString());
            assertThat(run.exitCode()).isEqualTo(ExitCodes.VERSION_MISMATCH);
            assertThat(run.err()).isEqualTo("sluice: map svc_traffic is of type HASH, "
                    + "this sluice CLI expects PERCPU_HASH: versions differ\n");
        }
    }

    @Test
    void aFileThatIsNoMapIsRefused() throws Exception {
        try (PrivateBpffs bpffs = PrivateBpffs.mount()) {
            Files.createDirectories(bpffs.root().resolve("maps/svc_frontends"));
            CliRun run = CliRun.of("services", "--bpffs-root", bpffs.root().toString());
            assertThat(run.exitCode()).isNotZero();
            assertThat(run.err()).startsWith("sluice: ").contains("svc_frontends").hasLineCount(1);
        }
    }

    /**
     * The CLI in a child JVM that is root but may not override file permissions, with the
     * frontends pin made unreadable: bpf_obj_get fails with EACCES.
     */
    @Test
    void aPinTheCallerMayNotOpenSaysRootIsNeeded() throws Exception {
        try (LabDatapath lab = LabDatapath.create()) {
            Path pin = lab.pin(DatapathMaps.FRONTENDS);
            Files.setPosixFilePermissions(pin, Set.of());
            Child child = runWithout("-dac_override,-dac_read_search", "services", "--bpffs-root", lab.root().toString());
            assertThat(child.err()).isEqualTo("sluice: permission denied opening map svc_frontends at " + pin
                    + " (EACCES): reading the datapath's maps needs root (CAP_BPF and CAP_SYS_ADMIN)\n");
            assertThat(child.exitCode()).isEqualTo(ExitCodes.PERMISSION);
        }
    }

    /**
     * Without CAP_SYS_ADMIN the pins still open, but an inner Maglev map cannot be opened by its id
     * (bpf_map_get_fd_by_id needs CAP_SYS_ADMIN): EPERM, and the same advice.
     */
    @Test
    void withoutSysAdminTheMaglevTablesCannotBeOpened() throws Exception {
        try (LabDatapath lab = LabDatapath.create()) {
            Child child = runWithout("-bpf,-sys_admin", "maglev", "1", "--bpffs-root", lab.root().toString());
            assertThat(child.err()).startsWith("sluice: permission denied opening the Maglev table of service 1 (map id ")
                    .endsWith(") at " + lab.pin(DatapathMaps.MAGLEV) + " (EPERM): reading the datapath's maps needs "
                            + "root (CAP_BPF and CAP_SYS_ADMIN)\n")
                    .hasLineCount(1);
            assertThat(child.exitCode()).isEqualTo(ExitCodes.PERMISSION);
        }
    }

    private record Child(int exitCode, String err) {
    }

    /** The CLI in a child JVM (root) whose bounding set lacks {@code capabilities}. */
    private static Child runWithout(String capabilities, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set", capabilities,
                "--inh-caps", capabilities, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Sluice.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(process.getErrorStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Child(process.exitValue(), err);
    }
}
