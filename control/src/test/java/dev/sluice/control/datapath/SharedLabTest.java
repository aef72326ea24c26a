package dev.sluice.control.datapath;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A BPF_PROG_RUN test class on the run's one {@link DatapathLab} ({@link SharedLab}), with the
 * verdicts the programs return.
 */
abstract class SharedLabTest {
    static final int XDP_DROP = 1;
    static final int XDP_PASS = 2;
    static final int XDP_TX = 3;
    static final int TC_ACT_OK = 0;
    static final int TC_ACT_SHOT = 2;
    static final int TC_ACT_REDIRECT = 7;

    @RegisterExtension
    static final SharedLab LAB = new SharedLab();
    /** The shared lab, reset after each test. */
    protected DatapathLab lab;

    @BeforeEach
    void useSharedLab() {
        lab = LAB.get();
    }
}
