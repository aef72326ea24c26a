package dev.sluice.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.Interfaces;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.Fixtures;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.VethLab;
import java.util.Map;
import org.junit.jupiter.api.Test;

@KernelTest
class TcAttachTest {
    private static final int INGRESS = 0;
    private static final int EGRESS = 1;

    @FunctionalInterface
    interface Attach {
        BpfLink attach(BpfProgram program, int ifindex, TcDirection direction);
    }

    @Test
    void tcxLinksSeeEveryFrameInTheirDirectionAndStopWhenClosed() {
        countBothDirections(BpfProgram::attachTc);
    }

    @Test
    void clsactFiltersSeeEveryFrameInTheirDirectionAndStopWhenClosed() {
        countBothDirections(BpfProgram::attachTcClsact);
    }

    @Test
    void aClsactFilterAtAFixedPlaceOutlivesItsLinkAndIsReplacedInPlace() {
        int handle = 0x51ce;
        int priority = 1;
        try (VethLab lab = VethLab.create(); BpfObject object = Fixtures.loaderFixture()) {
            BpfMap<Integer, Long> packets = object.map("fixture_tc_packets", MapCodec.u32(), MapCodec.u64());
            int ifindex = lab.b().call(() -> Interfaces.index(VethLab.INTERFACE));
            lab.b().call(() -> {
                object.program("tc_count_ingress").attachTcClsact(ifindex, TcDirection.INGRESS, handle, priority).close();
                return null;
            });
            assertThat(lab.sendUdpFromAToB(5, 10, 9100)).isEqualTo(5);
            assertThat(packets.lookupBatch()).containsEntry(INGRESS, 5L);

            // The same place again with another program: a restarted agent swapping its program in.
            lab.b().call(() -> {
                object.program("tc_count_egress").attachTcClsact(ifindex, TcDirection.INGRESS, handle, priority).close();
                return null;
            });
            assertThat(lab.sendUdpFromAToB(4, 10, 9100)).isEqualTo(4);
            assertThat(packets.lookupBatch()).containsEntry(INGRESS, 5L).containsEntry(EGRESS, 4L);

            lab.b().call(() -> {
                BpfProgram.detachTcClsact(ifindex, TcDirection.INGRESS, handle, priority);
                BpfProgram.detachTcClsact(ifindex, TcDirection.INGRESS, handle, priority);
                return null;
            });
            assertThat(lab.sendUdpFromAToB(3, 10, 9100)).isEqualTo(3);
            assertThat(packets.lookupBatch()).containsEntry(INGRESS, 5L).containsEntry(EGRESS, 4L);
        }
    }

    private void countBothDirections(Attach attach) {
        try (VethLab lab = VethLab.create(); BpfObject object = Fixtures.loaderFixture()) {
            BpfMap<Integer, Long> packets = object.map("fixture_tc_packets", MapCodec.u32(), MapCodec.u64());
            BpfProgram ingress = object.program("tc_count_ingress");
            BpfProgram egress = object.program("tc_count_egress");
            try (BpfLink onB = in(lab.b(), () -> attach.attach(ingress, Interfaces.index(VethLab.INTERFACE), TcDirection.INGRESS));
                 BpfLink onA = in(lab.a(), () -> attach.attach(egress, Interfaces.index(VethLab.INTERFACE), TcDirection.EGRESS))) {
                assertThat(lab.sendUdpFromAToB(20, 10, 9100)).isEqualTo(20);
                assertThat(packets.lookupBatch()).isEqualTo(Map.of(INGRESS, 20L, EGRESS, 20L));
            }
            assertThat(lab.sendUdpFromAToB(3, 10, 9100)).isEqualTo(3);
            assertThat(packets.lookupBatch()).isEqualTo(Map.of(INGRESS, 20L, EGRESS, 20L));
        }
    }

    private static BpfLink in(NetworkNamespace namespace, java.util.concurrent.Callable<BpfLink> attach) {
        return namespace.call(attach);
    }
}
