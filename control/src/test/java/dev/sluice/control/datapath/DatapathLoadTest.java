package dev.sluice.control.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.PrivateBpffs;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

@KernelTest
class DatapathLoadTest {

    @Test
    void bothProgramsPassTheVerifierAndShareOnePinnedSetOfMaps() throws Exception {
        try (PrivateBpffs bpffs = PrivateBpffs.mount()) {
            InetAddress vip = InetAddress.getByName("198.18.100.10");
            try (Datapath datapath = Datapath.load(bpffs.root())) {
                assertThat(datapath.xdpNode().name()).isEqualTo("xdp_node");
                assertThat(datapath.tcPod().name()).isEqualTo("tc_pod_ingress");
                for (String map : DatapathMaps.ALL) {
                    assertThat(bpffs.root().resolve(map)).as(map).exists();
                }
                datapath.maps().frontends().put(new FrontendKey(vip, 80, 6), new FrontendValue(7, FrontendValue.CLUSTER_IP));
                datapath.maps().putMaglevTable(7, new int[] {1, 2, 1, 2, 1, 2, 1});
                assertThat(datapath.maps().maglevTableId(7)).isPresent();
            }
            try (Datapath restarted = Datapath.load(bpffs.root())) {
                assertThat(restarted.maps().frontends().lookup(new FrontendKey(vip, 80, 6)))
                        .contains(new FrontendValue(7, FrontendValue.CLUSTER_IP));
                assertThat(restarted.maps().maglevTableId(7)).isPresent();
            }
        }
    }

    @Test
    void pinsThisBuildCannotReuseAreReplacedAndTheRestKept() throws Exception {
        try (PrivateBpffs bpffs = PrivateBpffs.mount()) {
            InetAddress vip = InetAddress.getByName("198.18.100.10");
            try (Datapath datapath = Datapath.load(bpffs.root())) {
                datapath.maps().frontends().put(new FrontendKey(vip, 80, 6), new FrontendValue(7, FrontendValue.CLUSTER_IP));
                datapath.maps().backends().put(3, new BackendValue(InetAddress.getByName("10.244.1.1"), 8080, 0));
            }
            // An older release's svc_services (16-byte values), and a new --max-backends.
            java.nio.file.Files.delete(bpffs.root().resolve(DatapathMaps.SERVICES));
            try (dev.sluice.ffm.MapHandle old = dev.sluice.ffm.MapHandle.create(dev.sluice.ffm.MapType.HASH, "svc_services",
                    4, 16, 65536, 0)) {
                old.pin(bpffs.root().resolve(DatapathMaps.SERVICES));
            }

            try (Datapath upgraded = Datapath.load(bpffs.root(), java.util.Map.of(DatapathMaps.BACKENDS, 131072))) {
                assertThat(upgraded.maps().services().info().valueSize()).isEqualTo(ServiceValue.LAYOUT.byteSize());
                assertThat(upgraded.maps().backends().info().maxEntries()).isEqualTo(131072);
                assertThat(upgraded.maps().backends().keys()).as("a resized map starts empty").isEmpty();
                assertThat(upgraded.maps().frontends().lookup(new FrontendKey(vip, 80, 6)))
                        .as("compatible pins keep their contents").contains(new FrontendValue(7, FrontendValue.CLUSTER_IP));
            }
        }
    }
}
