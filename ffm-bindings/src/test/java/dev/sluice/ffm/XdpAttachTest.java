package dev.sluice.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.Interfaces;
import dev.sluice.ffm.testing.Fixtures;
import dev.sluice.ffm.testing.Ipv4UdpFrame;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.VethLab;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@KernelTest
class XdpAttachTest {
    private static final int DATAGRAMS = 50;
    private static final int PAYLOAD = 100;
    private static final int FRAME = Ipv4UdpFrame.ETHERNET_HEADER + Ipv4UdpFrame.IPV4_HEADER
            + Ipv4UdpFrame.UDP_HEADER + PAYLOAD;

    @ParameterizedTest
    @EnumSource(value = XdpMode.class, names = {"NATIVE", "GENERIC"})
    void counterOnAVethCountsExactlyTheFramesSentAcrossIt(XdpMode mode) {
        try (VethLab lab = VethLab.create();
             BpfObject counter = BpfObject.openResource(Fixtures.XDP_RX_COUNTER).load()) {
            PerCpuBpfMap<Integer, RxCounter> counters =
                    counter.perCpuMap("rx_counters", MapCodec.u32(), RxCounter.CODEC);
            BpfProgram program = counter.program("xdp_rx_counter");

            try (BpfLink link = lab.b().call(() -> program.attachXdp(Interfaces.index(VethLab.INTERFACE), mode))) {
                assertThat(lab.b().exec("ip", "link", "show", VethLab.INTERFACE))
                        .contains(mode == XdpMode.NATIVE ? "xdp" : "xdpgeneric");
                assertThat(lab.sendUdpFromAToB(DATAGRAMS, PAYLOAD, 9000)).isEqualTo(DATAGRAMS);
            }

            assertThat(RxCounter.sum(counters, RxCounter.IPV4))
                    .isEqualTo(new RxCounter(DATAGRAMS, (long) DATAGRAMS * FRAME));
            assertThat(RxCounter.sum(counters, RxCounter.ARP).packets()).isZero();

            // Closing the unpinned link detached it: nothing more is counted.
            assertThat(lab.b().exec("ip", "link", "show", VethLab.INTERFACE)).doesNotContain("prog/xdp");
            assertThat(lab.sendUdpFromAToB(5, PAYLOAD, 9000)).isEqualTo(5);
            assertThat(RxCounter.sum(counters, RxCounter.IPV4).packets()).isEqualTo(DATAGRAMS);
        }
    }
}
