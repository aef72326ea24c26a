package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link RealTrafficSizes} on the offloads a new veth has: TSO and GSO on, GRO off. Beside the
 * classes with everything on and everything off, it tells which offload a failure comes with.
 */
class RealTrafficSizesKernelDefaultsTest extends RealTrafficSizes {
    @BeforeAll
    void offloadsAsTheKernelSetsThem() {
        assertThat(Offloads.show(lab.pods().getFirst().namespace(), "eth0"))
                .contains("generic-receive-offload: off", "tcp-segmentation-offload: on");
    }
}
