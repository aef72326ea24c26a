package dev.sluice.control.migrate;

import dev.sluice.ffm.sys.Command;
import java.util.List;

/** A tool failed during the kube-proxy cleanup; the message names the tool, what it worked on and its error. */
public final class CleanupFailure extends RuntimeException {
    public CleanupFailure(String message) {
        super(message);
    }

    static CleanupFailure of(List<String> command, String subject, String action, Command.Result result) {
        String stderr = result.stderr().strip();
        return new CleanupFailure("'" + String.join(" ", command) + "' failed to " + action + " (" + subject
                + "): exit " + result.exitCode() + (stderr.isEmpty() ? "" : ": " + stderr));
    }
}
