package dev.sluice.ffm.testing;

import dev.sluice.ffm.ipvs.IpvsClient;
import dev.sluice.ffm.netlink.NetlinkException;
import dev.sluice.ffm.netlink.Rtnetlink;
import dev.sluice.ffm.sys.Command;
import dev.sluice.ffm.sys.NetworkNamespace;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Probes once per JVM, inside a scratch namespace, for what {@link IpvsKernelTest} needs. */
public final class IpvsRequirements implements BeforeAllCallback {
    // Probed on first use, not in a static initialiser: the probe runs on the namespace's own
    // thread, which would wait forever for this class to finish initialising.
    private static Optional<String> missing;

    @Override
    public void beforeAll(ExtensionContext context) {
        String lacking = missing();
        if (lacking == null) {
            return;
        }
        String message = context.getDisplayName() + " needs " + lacking;
        if (KernelRequirements.runningInCi()) {
            throw new IllegalStateException(message + " (CI=true: failing instead of skipping)");
        }
        Assumptions.abort(message);
    }

    private static synchronized String missing() {
        if (missing == null) {
            missing = Optional.ofNullable(probe());
        }
        return missing.orElse(null);
    }

    private static String probe() {
        if (!KernelRequirements.isRoot()) {
            return "root (uid 0)";
        }
        if (Command.execute("ip", "-V").exitCode() != 0) {
            return "iproute2 ('ip' on PATH)";
        }
        try (NetworkNamespace namespace = ScratchNamespace.create("sluice-probe")) {
            return namespace.call(() -> {
                try (IpvsClient ipvs = IpvsClient.open()) {
                    ipvs.info();
                } catch (NetlinkException unavailable) {
                    return "IPVS (" + unavailable.getMessage() + ")";
                }
                try (Rtnetlink rtnetlink = Rtnetlink.open()) {
                    rtnetlink.ensureDummy("probe0");
                } catch (NetlinkException unavailable) {
                    return "the dummy link driver (" + unavailable.getMessage() + ")";
                }
                return null;
            });
        }
    }
}
