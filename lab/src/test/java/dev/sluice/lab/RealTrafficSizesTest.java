package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link RealTrafficSizes} with TSO, GSO and GRO on every veth: the kernel's defaults for TSO and
 * GSO, and GRO turned on as well (a veth's default is off), so the datapath gets the super-packets
 * a production node gets from its NIC and its pods. The lab's other tests run on the kernel's
 * defaults ({@link RealTrafficSizesKernelDefaultsTest}).
 */
class RealTrafficSizesTest extends RealTrafficSizes {
    @BeforeAll
    void offloadsOn() {
        Offloads.set(lab, true);
        assertThat(Offloads.show(lab.pods().getFirst().namespace(), "eth0"))
                .contains("generic-receive-offload: on", "tcp-segmentation-offload: on");
    }
}
