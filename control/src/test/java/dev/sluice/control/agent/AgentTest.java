package dev.sluice.control.agent;

import dev.sluice.ffm.testing.PrivateBpffs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** An agent of the test's own on a private bpffs, both gone after each test. */
abstract class AgentTest {
    protected PrivateBpffs bpffs;
    protected AgentRun agent;

    @BeforeEach
    void mountBpffs() {
        bpffs = PrivateBpffs.mount();
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.close();
        }
        bpffs.close();
    }
}
