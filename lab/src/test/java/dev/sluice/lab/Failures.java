package dev.sluice.lab;

import java.time.Duration;
import java.time.Instant;

/** What the tests need from failures: the exception a call in a namespace really threw, bounded waits. */
final class Failures {
    private Failures() {
    }

    /** The original exception under the wrapping of {@code NetworkNamespace.call}. */
    static Throwable cause(Throwable thrown) {
        Throwable cause = thrown;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    static Throwable thrownBy(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException thrown) {
            return cause(thrown);
        }
        return null;
    }

    /** Retries {@code check} until it passes or {@code timeout} ends; then its last failure stands. */
    static void eventually(Duration timeout, Runnable check) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | RuntimeException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw notYet;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
