package dev.sluice.control.agent;

import java.util.List;

/**
 * Something besides the reconciler that writes the datapath's maps (node settings, the conntrack
 * sweeper). Its failures are reported with the reconciler's, in /statusz and /healthz, and retried.
 */
interface WritePath {
    /** What failed to be written and waits for a retry, one line each; empty when all is written. */
    List<String> failures();

    /** Tries again what failed; paths that retry on their own schedule do nothing. */
    default void retry() {
    }
}
