package dev.sluice.control.ipvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpvsSysctlsTest {

    @Test
    void writesWhatDiffersAndReportsWhatCannotBeWritten(@TempDir Path procSys) throws Exception {
        for (String name : IpvsSysctls.wanted("sluice-ipvs0").keySet()) {
            Files.createDirectories(procSys.resolve(name).getParent());
            Files.writeString(procSys.resolve(name), "0\n");
        }
        // A directory where a file should be: the write fails, like a read-only /proc/sys.
        Files.delete(procSys.resolve("net/ipv4/ip_forward"));
        Files.createDirectories(procSys.resolve("net/ipv4/ip_forward"));

        List<String> failures = IpvsSysctls.apply(procSys, "sluice-ipvs0");

        assertThat(failures).singleElement().asString().startsWith("sysctl net.ipv4.ip_forward: cannot set to 1");
        assertThat(Files.readString(procSys.resolve("net/ipv4/vs/conntrack"))).isEqualTo("1\n");
        assertThat(Files.readString(procSys.resolve("net/ipv4/vs/conn_reuse_mode"))).isEqualTo("0\n");
        assertThat(Files.readString(procSys.resolve("net/ipv4/conf/sluice-ipvs0/arp_announce"))).isEqualTo("2\n");
    }
}
