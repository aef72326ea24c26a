package dev.sluice.control.source;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action once a burst of signals has been quiet for a while. One thread runs it, so runs
 * never overlap. A never-ending stream of signals still gets a run every maxDelay: a busy cluster
 * must not starve the datapath of updates.
 */
final class Coalescer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Coalescer.class);

    private final Duration quietPeriod;
    private final Duration maxDelay;
    private final Runnable action;
    private final ScheduledExecutorService executor;
    private volatile Thread worker;

    private ScheduledFuture<?> pending;
    private long burstStartNanos;
    private long generation;
    private boolean closed;

    Coalescer(String name, Duration quietPeriod, Duration maxDelay, Runnable action) {
        if (quietPeriod.isNegative() || maxDelay.compareTo(quietPeriod) < 0) {
            throw new IllegalArgumentException("need 0 <= quietPeriod <= maxDelay");
        }
        this.quietPeriod = quietPeriod;
        this.maxDelay = maxDelay;
        this.action = Objects.requireNonNull(action, "action");
        this.executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = Thread.ofPlatform().name(name).daemon().unstarted(task);
            worker = thread;
            return thread;
        });
    }

    synchronized void signal() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (pending == null) {
            burstStartNanos = now;
        } else {
            pending.cancel(false);
        }
        long deadline = burstStartNanos + maxDelay.toNanos();
        long delay = Math.max(0, Math.min(quietPeriod.toNanos(), deadline - now));
        long token = ++generation;
        pending = executor.schedule(() -> run(token), delay, TimeUnit.NANOSECONDS);
    }

    private void run(long token) {
        synchronized (this) {
            if (closed || token != generation) {
                return;
            }
            pending = null;
        }
        try {
            action.run();
        } catch (Throwable t) {
            LOG.error("Change callback failed; waiting for the next change", t);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (pending != null) {
                pending.cancel(false);
            }
        }
        executor.shutdown();
        if (Thread.currentThread() == worker) {
            return; // closed from inside the callback: waiting would wait for ourselves
        }
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Change callback still running after 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
