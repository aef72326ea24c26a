package dev.sluice.control.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's liveness, judged the way kube-proxy judges its own
 * (kubernetes/kubernetes pkg/proxy/healthcheck/proxy_health.go), so that probes, load balancers and
 * runbooks written for kube-proxy keep their meaning.
 *
 * <p>The rule: the agent is unhealthy only when it has synced at least once, a change has been
 * queued since that sync, and the oldest such change has waited {@code healthTimeout} or longer.
 * An idle agent stays healthy however old its last sync is; an agent that has never synced is
 * healthy too (kube-proxy's "healthy while starting up" — readiness, not liveness, covers that,
 * see {@link #firstSyncDone()}). Node eligibility is tracked here but, as in kube-proxy, only
 * {@code /healthz} combines it with the rule; {@link #isHealthy(Instant)} and {@code /livez} ignore it.
 *
 * <p>kube-proxy keeps one clock per IP family; sluice programs both families in one sync, so there
 * is one. Thread-safe: the sync loop writes, HTTP handlers read.
 */
public final class ProxyHealth {
    /** kube-proxy's default {@code --iptables-sync-period}/{@code syncPeriod}. */
    public static final Duration DEFAULT_SYNC_PERIOD = Duration.ofSeconds(30);

    private final Duration healthTimeout;
    private Instant lastUpdated;
    private Instant oldestPendingQueued;
    // Eligible until told otherwise, as kube-proxy before it has seen its Node object: a restarting
    // agent must not drain its node from load balancers just because the informer is not warm yet.
    private boolean nodeEligible = true;
    private Instant failingSince;
    private java.util.List<String> notProgrammed = java.util.List.of();

    /** kube-proxy passes {@code 2 * syncPeriod} as the health timeout; so does this. */
    public static ProxyHealth forSyncPeriod(Duration syncPeriod) {
        return new ProxyHealth(syncPeriod.multipliedBy(2));
    }

    public ProxyHealth(Duration healthTimeout) {
        Objects.requireNonNull(healthTimeout, "healthTimeout");
        if (healthTimeout.isNegative() || healthTimeout.isZero()) {
            throw new IllegalArgumentException("healthTimeout must be positive: " + healthTimeout);
        }
        this.healthTimeout = healthTimeout;
    }

    public Duration healthTimeout() {
        return healthTimeout;
    }

    /**
     * A Service/EndpointSlice change arrived that the datapath does not reflect yet. Only the first
     * call after a sync counts: the timeout runs from the oldest change still waiting.
     */
    public synchronized void queuedUpdate(Instant at) {
        Objects.requireNonNull(at, "at");
        if (oldestPendingQueued == null) {
            oldestPendingQueued = at;
        }
    }

    /** A sync finished and the datapath reflects everything queued before it. */
    public synchronized void updated(Instant at) {
        Objects.requireNonNull(at, "at");
        oldestPendingQueued = null;
        lastUpdated = at;
    }

    /**
     * Map writes failed: the datapath does not hold what was asked, whatever was synced. These
     * writes are being retried; the agent turns unhealthy once they have failed for the health
     * timeout, even before its first complete sync.
     */
    public synchronized void programmingFailed(Instant at, java.util.List<String> failures) {
        Objects.requireNonNull(at, "at");
        if (failingSince == null) {
            failingSince = at;
        }
        notProgrammed = java.util.List.copyOf(failures);
    }

    /** Every write has succeeded. */
    public synchronized void programmingSucceeded() {
        failingSince = null;
        notProgrammed = java.util.List.of();
    }

    /** False while the node is being deleted or carries the ToBeDeletedByClusterAutoscaler taint. */
    public synchronized void nodeEligible(boolean eligible) {
        nodeEligible = eligible;
    }

    public synchronized boolean nodeEligible() {
        return nodeEligible;
    }

    /** kube-proxy's health rule at {@code now}, ignoring node eligibility. */
    public synchronized boolean isHealthy(Instant now) {
        if (failingSince != null && Duration.between(failingSince, now).compareTo(healthTimeout) >= 0) {
            return false;
        }
        if (lastUpdated == null || oldestPendingQueued == null) {
            return true;
        }
        // Strictly less, as kube-proxy: a change pending exactly healthTimeout is already late.
        return Duration.between(oldestPendingQueued, now).compareTo(healthTimeout) < 0;
    }

    /** Whether one sync has completed: the agent's readiness. */
    public synchronized boolean firstSyncDone() {
        return lastUpdated != null;
    }

    public synchronized Optional<Instant> lastUpdated() {
        return Optional.ofNullable(lastUpdated);
    }

    /** All of the state at once, so a response never mixes two moments. */
    public synchronized Snapshot snapshot(Instant now) {
        return new Snapshot(now, isHealthy(now), nodeEligible, Optional.ofNullable(lastUpdated), notProgrammed);
    }

    /**
     * The health state as seen at {@code currentTime}.
     *
     * @param notProgrammed the map writes failing now, empty when all is programmed
     */
    public record Snapshot(Instant currentTime, boolean healthy, boolean nodeEligible,
                           Optional<Instant> lastUpdated, java.util.List<String> notProgrammed) {
    }
}
