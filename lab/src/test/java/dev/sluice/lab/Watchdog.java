package dev.sluice.lab;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes a socket when its deadline passes. SO_TIMEOUT bounds each read but not a transfer that
 * trickles, nor a write stuck on a closed window; closing the socket ends both, so a broken
 * datapath fails a test in bounded time instead of hanging it.
 */
final class Watchdog implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("watchdog").factory());

    private final AtomicBoolean fired = new AtomicBoolean();
    private final ScheduledFuture<?> alarm;

    private Watchdog(Closeable target, Duration deadline) {
        alarm = TIMER.schedule(() -> {
            fired.set(true);
            try {
                target.close();
            } catch (IOException ignored) {
                // the socket is being given up anyway
            }
        }, deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    static Watchdog arm(Closeable target, Duration deadline) {
        return new Watchdog(target, deadline);
    }

    /** Whether the deadline passed and the socket was closed under its user. */
    boolean fired() {
        return fired.get();
    }

    @Override
    public void close() {
        alarm.cancel(false);
    }
}
