package dev.sluice.image;

import dev.sluice.ffm.testing.KernelRequirements;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * A Docker daemon that answers (bin/setup starts one). Like {@link KernelRequirements}: skipped
 * without it, except under {@code CI=true}, where the class fails.
 */
public final class DockerRequirements implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return;
        }
        String message = context.getDisplayName() + " needs a Docker daemon (bin/setup starts one)";
        if (KernelRequirements.runningInCi()) {
            throw new IllegalStateException(message + " (CI=true: failing instead of skipping)");
        }
        Assumptions.abort(message);
    }
}
