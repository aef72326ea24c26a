package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;

/** {@link RealTrafficSizes} with TSO, GSO and GRO off on every veth: the datapath sees every segment on its own. */
class RealTrafficSizesOffloadsOffTest extends RealTrafficSizes {
    @BeforeAll
    void offloadsOff() {
        Offloads.set(lab, false);
        assertThat(Offloads.show(lab.pods().getFirst().namespace(), "eth0"))
                .contains("generic-receive-offload: off", "tcp-segmentation-offload: off");
    }
}
