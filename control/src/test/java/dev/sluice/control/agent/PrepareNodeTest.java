package dev.sluice.control.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.Bpffs;
import dev.sluice.ffm.sys.Cgroup2;
import dev.sluice.ffm.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The init container's work, on mount points of the test's own (unmounted again afterwards). */
@KernelTest
class PrepareNodeTest {
    @TempDir
    Path dir;

    @AfterEach
    void unmount() {
        Bpffs.unmount(dir.resolve("bpf"));
        Cgroup2.unmount(dir.resolve("cgroupv2"));
    }

    @Test
    void mountsWhatIsMissingOnceAndLeavesItThere() throws IOException {
        Path bpffs = dir.resolve("bpf");
        Path cgroup = dir.resolve("cgroupv2");

        PrepareNode.run(bpffs, cgroup);

        assertThat(Bpffs.isMounted(bpffs)).isTrue();
        assertThat(Cgroup2.isMounted(cgroup)).isTrue();
        assertThat(cgroup.resolve("cgroup.controllers")).exists();
        long mounts = mountsUnder(dir);

        PrepareNode.run(bpffs, cgroup);
        assertThat(mountsUnder(dir)).isEqualTo(mounts).isEqualTo(2);
    }

    private static long mountsUnder(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath() + "/";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(line -> line.split(" ")[4].startsWith(prefix)).count();
    }
}
