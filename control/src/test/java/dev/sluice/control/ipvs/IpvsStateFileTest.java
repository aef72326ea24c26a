package dev.sluice.control.ipvs;

import static dev.sluice.control.model.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.control.model.FrontendKind;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpvsStateFileTest {
    private static final OwnedService CLUSTER_IP = new OwnedService(
            new IpvsServiceKey(ip("10.96.0.10"), IpvsProtocol.TCP, 80), "ns", "web", "http",
            FrontendKind.CLUSTER_IP, "rr", 0, false, true);
    private static final OwnedService NODE_PORT_V6 = new OwnedService(
            new IpvsServiceKey(ip("fd00::1"), IpvsProtocol.UDP, 30053), "kube-system", "dns", "",
            FrontendKind.NODE_PORT, "mh", 10800, true, false);

    @TempDir
    Path dir;

    @Test
    void whatIsWrittenIsReadBackInFileOrderAndNoTemporaryFileStays() throws Exception {
        IpvsStateFile file = IpvsStateFile.in(dir.resolve("run"));
        assertThat(file.read()).isEmpty();

        file.write(List.of(NODE_PORT_V6, CLUSTER_IP));

        assertThat(file.read()).containsExactly(CLUSTER_IP, NODE_PORT_V6);
        try (var listing = Files.list(dir.resolve("run"))) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("services.json");
        }
        String text = Files.readString(file.path());
        assertThat(text).contains("\"service\" : \"ns/web:http\"").contains("\"kind\" : \"NodePort\"")
                .contains("\"service\" : \"kube-system/dns\"");
    }

    @Test
    void aNewWriteReplacesTheOldOneWholeAndDeleteRemovesIt() {
        IpvsStateFile file = IpvsStateFile.in(dir);
        file.write(List.of(CLUSTER_IP, NODE_PORT_V6));
        file.write(List.of(NODE_PORT_V6));
        assertThat(file.read()).containsExactly(NODE_PORT_V6);
        assertThat(file.delete()).isTrue();
        assertThat(file.exists()).isFalse();
        assertThat(file.read()).isEmpty();
    }

    @Test
    void badContentIsRefusedNamingTheEntryAndField() throws Exception {
        IpvsStateFile file = IpvsStateFile.in(dir);
        file.write(List.of(CLUSTER_IP, NODE_PORT_V6));
        String good = Files.readString(file.path());

        Files.writeString(file.path(), good.replace("\"NodePort\"", "\"Nodeport\""));
        assertThatThrownBy(file::read).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("services[1]").hasMessageContaining("UDP [fd00:0:0:0:0:0:0:1]:30053")
                .hasMessageContaining("field 'kind' 'Nodeport' is not one of");

        Files.writeString(file.path(), good.replace("\"10.96.0.10\"", "\"10.96.0.x\""));
        assertThatThrownBy(file::read).hasMessageContaining("services[0]")
                .hasMessageContaining("field 'address' '10.96.0.x' is not an IP address");

        Files.writeString(file.path(), good.replaceFirst("\"port\" : 80", "\"port\" : \"80\""));
        assertThatThrownBy(file::read).hasMessageContaining("services[0]")
                .hasMessageContaining("field 'port' must be an integer");

        Files.writeString(file.path(), good.replace("\"version\" : 1", "\"version\" : 2"));
        assertThatThrownBy(file::read).hasMessageContaining("field 'version' is 2");

        Files.writeString(file.path(), "{\"version\": 1, \"services\": [");
        assertThatThrownBy(file::read).hasMessageContaining(file.path().toString()).hasMessageContaining("not JSON");
    }
}
