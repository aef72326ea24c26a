package dev.sluice.control.datapath;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link DatapathLab} for all tests of a class, reset after each: loading the datapath (the
 * verifier over every program) takes seconds, a reset milliseconds. Register it in a static
 * field with {@code @RegisterExtension} and take the lab with {@link #get()} in a test or
 * {@code @BeforeEach}. A reset that fails closes the lab, so the next test gets a fresh one
 * whatever the failed test left.
 */
final class SharedLab implements AfterEachCallback, AfterAllCallback {
    private DatapathLab lab;

    DatapathLab get() {
        if (lab == null) {
            lab = DatapathLab.create();
        }
        return lab;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (lab == null) {
            return;
        }
        try {
            lab.reset();
        } catch (RuntimeException failure) {
            close();
            throw failure;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void close() {
        DatapathLab closing = lab;
        lab = null;
        if (closing != null) {
            closing.close();
        }
    }
}
