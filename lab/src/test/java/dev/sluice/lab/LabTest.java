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

    @BeforeAll
    void startLab() {
        lab = Lab.start(2, this::manifest);
    }

    @AfterAll
    void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }
}
