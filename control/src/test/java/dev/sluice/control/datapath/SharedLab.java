package dev.sluice.control.datapath;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link DatapathLab} for every test class that registers this in the run (one JVM), reset
 * after each test: loading the datapath (the verifier over every program) takes seconds on the
 * host and half a minute to a minute in the kernel lab's emulated guests, a reset milliseconds.
 * Register it in a static field with {@code @RegisterExtension} and take the lab with
 * {@link #get()} in a test or {@code @BeforeEach}. A reset that fails closes the lab, so the
 * next test gets a fresh one whatever the failed test left. The run's end closes the last one.
 */
final class SharedLab implements BeforeAllCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedLab.class);
    private Holder holder;

    /** Lives in the run's root store, which closes it when the run ends. */
    private static final class Holder implements AutoCloseable {
        private DatapathLab lab;

        DatapathLab get() {
            if (lab == null) {
                lab = DatapathLab.create();
            }
            return lab;
        }

        void reset() {
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
        public void close() {
            DatapathLab closing = lab;
            lab = null;
            if (closing != null) {
                closing.close();
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        holder = context.getRoot().getStore(NAMESPACE).computeIfAbsent(Holder.class, key -> new Holder(), Holder.class);
    }

    DatapathLab get() {
        if (holder == null) {
            throw new IllegalStateException("SharedLab must be registered in a static field with @RegisterExtension");
        }
        return holder.get();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        holder.reset();
    }
}
