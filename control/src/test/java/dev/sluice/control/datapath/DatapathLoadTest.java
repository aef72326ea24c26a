package dev.sluice.control.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.Command;
import dev.sluice.ffm.testing.KernelRequirements;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.PrivateBpffs;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
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

    /**
     * The build that leaves kube-proxy's connections to nf_conntrack needs its kfuncs (lookups 5.19+,
     * bpf_ct_change_timeout 6.0+) with their exact prototypes; where one does not match, the loader
     * quietly falls back to the plain build, so every kernel of the matrix checks it loads.
     */
    @Test
    void theKernelConntrackBuildLoadsWhereNfConntrackIs() throws Exception {
        Command.execute("modprobe", "nf_conntrack");
        if (!Files.isDirectory(Path.of("/sys/module/nf_conntrack"))) {
            String missing = "nf_conntrack (module or built in)";
            if (KernelRequirements.runningInCi()) {
                throw new IllegalStateException("this test needs " + missing + " (CI=true: failing instead of skipping)");
            }
            Assumptions.abort("this test needs " + missing);
        }
        try (PrivateBpffs bpffs = PrivateBpffs.mount(); Datapath datapath = Datapath.load(bpffs.root())) {
            assertThat(datapath.leavesKernelConnectionsToTheKernel()).as("the nf_conntrack kfunc build loaded").isTrue();
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
