package dev.sluice.control.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.control.datapath.Datapath;
import dev.sluice.ffm.XdpMode;
import dev.sluice.ffm.sys.Interfaces;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.PrivateBpffs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** XDP attachment per mode on a veth: a changed --xdp-mode takes effect on restart; where XDP may transmit. */
@KernelTest
class NodeInterfacesTest {
    @TempDir
    Path sysClassNet;
    private PrivateBpffs bpffs;
    private NetworkNamespace node;
    private NetworkNamespace peer;
    private Datapath datapath;

    @BeforeEach
    void create() {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        bpffs = PrivateBpffs.mount();
        node = NetworkNamespace.create("sluice-t" + id + "-n");
        peer = NetworkNamespace.create("sluice-t" + id + "-p");
        node.exec("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", peer.name());
        node.exec("ip", "link", "set", "eth0", "up");
        peer.exec("ip", "link", "set", "eth0", "up");
        datapath = Datapath.load(bpffs.root().resolve("maps"));
    }

    @AfterEach
    void remove() {
        datapath.close();
        peer.close();
        node.close();
        bpffs.close();
    }

    /** One agent's run: attach, then let go of this process's references, as an agent that exits. */
    private void runAgent(XdpMode mode) throws Exception {
        List<AutoCloseable> resources = new ArrayList<>();
        LinkPins pins = new LinkPins(bpffs.root().resolve("links"));
        node.run(() -> NodeInterfaces.attach(List.of("eth0"), mode, datapath, pins, new TcAttachments(pins), resources, sysClassNet));
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private int eth0() {
        return node.call(() -> Interfaces.index("eth0"));
    }

    @Test
    void aRestartWithAnotherModeReattachesInThatMode() throws Exception {
        runAgent(XdpMode.NATIVE);
        assertThat(node.exec("ip", "link", "show", "eth0")).contains("xdp ").doesNotContain("xdpgeneric");

        runAgent(XdpMode.GENERIC);
        assertThat(node.exec("ip", "link", "show", "eth0")).contains("xdpgeneric");
        assertThat(bpffs.root().resolve("links").resolve(NodeInterfaces.xdpPin(XdpMode.NATIVE, "eth0"))).doesNotExist();

        runAgent(XdpMode.NATIVE);
        assertThat(node.exec("ip", "link", "show", "eth0")).contains("xdp ").doesNotContain("xdpgeneric");
        assertThat(bpffs.root().resolve("links").resolve("tc-node-eth0")).as("tc stays attached throughout").exists();
    }

    @Test
    void nativeXdpTransmitsItselfOnlyOnPhysicalDevices() throws Exception {
        runAgent(XdpMode.NATIVE);
        assertThat(datapath.maps().xdpTxInterfaces().lookup(eth0())).as("a veth: tc forwards").isEmpty();

        runAgent(XdpMode.GENERIC);
        assertThat(datapath.maps().xdpTxInterfaces().lookup(eth0())).as("generic XDP transmits anywhere").isPresent();

        Files.createDirectories(sysClassNet.resolve("eth0").resolve("device"));
        runAgent(XdpMode.NATIVE);
        assertThat(datapath.maps().xdpTxInterfaces().lookup(eth0())).as("a device with a driver").isPresent();
    }

    @Test
    void anInterfaceThatCannotRunTheModeIsRefusedByName() {
        LinkPins pins = new LinkPins(bpffs.root().resolve("links"));
        List<AutoCloseable> resources = new ArrayList<>();
        assertThatThrownBy(() -> node.run(() -> NodeInterfaces.attach(List.of("lo"), XdpMode.NATIVE, datapath, pins,
                new TcAttachments(pins), resources, sysClassNet)))
                .hasStackTraceContaining("--xdp-mode NATIVE: interface lo cannot run XDP in this mode")
                .hasStackTraceContaining("AUTO");
        resources.reversed().forEach(r -> {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
