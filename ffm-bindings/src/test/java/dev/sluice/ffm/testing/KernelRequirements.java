package dev.sluice.ffm.testing;

import dev.sluice.ffm.MapHandle;
import dev.sluice.ffm.MapType;
import dev.sluice.ffm.sys.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Probes the machine once per JVM; see {@link KernelTest}. */
public final class KernelRequirements implements BeforeAllCallback {
    private static final String MISSING = probe();

    @Override
    public void beforeAll(ExtensionContext context) {
        if (MISSING == null) {
            return;
        }
        String message = context.getDisplayName() + " needs " + MISSING;
        if (runningInCi()) {
            throw new IllegalStateException(message + " (CI=true: failing instead of skipping)");
        }
        Assumptions.abort(message);
    }

    public static boolean runningInCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static String probe() {
        if (!isRoot()) {
            return "root (uid 0)";
        }
        if (Command.execute("ip", "-V").exitCode() != 0) {
            return "iproute2 ('ip' on PATH)";
        }
        try (MapHandle probe = MapHandle.create(MapType.ARRAY, "sluice_probe", 4, 4, 1, 0)) {
            return null;
        } catch (RuntimeException | LinkageError unavailable) {
            return "the bpf syscall and libbpf 1.x (" + unavailable.getMessage() + ")";
        }
    }

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
