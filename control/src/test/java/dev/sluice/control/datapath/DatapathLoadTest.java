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
}
