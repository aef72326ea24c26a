package dev.sluice.ffm.testing;

import dev.sluice.ffm.BpfObject;

/** The BPF objects that tests load, from the sluice-bpf jars on the test classpath. */
public final class Fixtures {
    public static final String LOADER_FIXTURE = "dev/sluice/bpf/test/loader_fixture.bpf.o";
    public static final String VERIFIER_REJECT = "dev/sluice/bpf/test/verifier_reject.bpf.o";
    public static final String XDP_RX_COUNTER = "dev/sluice/bpf/xdp_rx_counter.bpf.o";

    private Fixtures() {
    }

    public static BpfObject loaderFixture() {
        return BpfObject.openResource(LOADER_FIXTURE).load();
    }
}
