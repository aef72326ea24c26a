package dev.sluice.control.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Agents on --datapath ipvs lock per network namespace: two nodes of a lab (namespaces sharing
 * /run) each run one, and two agents in one namespace still exclude each other.
 */
@KernelTest
class IpvsLockDirectoryTest {
    @Test
    void theLockDirectoryIsNamedByTheNetworkNamespace() throws Exception {
        Path here = SluiceAgent.ipvsLockDirectory();
        assertThat(here).isEqualTo(Path.of("/run/sluice/ipvs", String.valueOf(inode())));
        assertThat(SluiceAgent.ipvsLockDirectory()).as("asked twice in one namespace").isEqualTo(here);
        try (NetworkNamespace other = ScratchNamespace.create("sluice-lock")) {
            Path there = other.call(SluiceAgent::ipvsLockDirectory);
            assertThat(there).as("another namespace's").isNotEqualTo(here);
            assertThat(there.getParent()).isEqualTo(here.getParent());
        }
    }

    private static long inode() throws Exception {
        return ((Number) Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino")).longValue();
    }
}
