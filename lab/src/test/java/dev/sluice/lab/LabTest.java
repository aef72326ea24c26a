package dev.sluice.lab;

import dev.sluice.ffm.testing.KernelTest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** One lab per test class (starting one takes seconds), on the manifest the class describes. */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LabTest {
    protected Lab lab;

    /** The Services and EndpointSlices the agents start from. */
    protected abstract List<HasMetadata> manifest(List<Pod> pods);

    /** Whether the agents run from the start; if not, the test starts them (as on a node kube-proxy ran). */
    protected boolean agentsAtStart() {
        return true;
    }

    /** The datapath {@code node}'s agent runs. */
    protected LabDatapath datapath(String node) {
        return LabDatapath.EBPF;
    }

    @BeforeAll
    void startLab() {
        lab = agentsAtStart() ? Lab.start(2, this::manifest, this::datapath)
                : Lab.startWithoutAgents(2, this::manifest, this::datapath);
    }

    @AfterAll
    void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }
}
