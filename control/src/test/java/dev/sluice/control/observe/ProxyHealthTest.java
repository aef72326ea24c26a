package dev.sluice.control.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rule, case by case, following the sequence of kube-proxy's testProxyHealthUpdater
 * (healthcheck_test.go: 10 s timeout, 25 s steps) for a single proxier.
 */
class ProxyHealthTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Something that happened {@code at} seconds after T0. */
    private sealed interface Event permits Queued, Updated {
    }

    private record Queued(long at) implements Event {
    }

    private record Updated(long at) implements Event {
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // kube-proxy: "Should return 200 "OK" by default."
                Arguments.of("fresh", List.of(), 0, true),
                Arguments.of("after the first update", List.of(new Updated(0)), 0, true),
                // "Should continue to return 200 "OK" as long as no further updates are queued"
                Arguments.of("idle long after the last update", List.of(new Updated(0)), 25, true),
                Arguments.of("idle for days", List.of(new Updated(0)), 86_400 * 3, true),
                // "Should return 503 if proxier exceed max update-processing time"
                Arguments.of("queued update late", List.of(new Updated(0), new Queued(25)), 50, false),
                // "Should return 200 after processing update"
                Arguments.of("late update then processed", List.of(new Updated(0), new Queued(25), new Updated(50)), 55, true),
                Arguments.of("queued update not late yet", List.of(new Updated(0), new Queued(25)), 34, true),
                Arguments.of("queued update exactly at the timeout", List.of(new Updated(0), new Queued(25)), 35, false),
                // The timeout runs from the oldest pending change, not the newest.
                Arguments.of("later queue does not restart the timer",
                        List.of(new Updated(0), new Queued(25), new Queued(33)), 36, false),
                // Not from the last sync either: a change queued long after an old sync gets the full timeout.
                Arguments.of("timer starts at the queue, not the last sync", List.of(new Updated(0), new Queued(100)), 105, true),
                // "the proxier is healthy while it's starting up"
                Arguments.of("queued before any sync", List.of(new Queued(0)), 1_000, true),
                Arguments.of("first sync after a long start, then late again",
                        List.of(new Queued(0), new Updated(500), new Queued(501)), 511, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void followsKubeProxysRule(String name, List<Event> events, long nowSeconds, boolean healthy) {
        ProxyHealth health = new ProxyHealth(TIMEOUT);
        for (Event event : events) {
            switch (event) {
                case Queued q -> health.queuedUpdate(T0.plusSeconds(q.at()));
                case Updated u -> health.updated(T0.plusSeconds(u.at()));
            }
        }
        assertThat(health.isHealthy(T0.plusSeconds(nowSeconds))).isEqualTo(healthy);
    }

    @Test
    void nodeEligibilityDoesNotChangeTheRule() {
        ProxyHealth health = new ProxyHealth(TIMEOUT);
        assertThat(health.nodeEligible()).isTrue();
        health.nodeEligible(false);
        assertThat(health.isHealthy(T0)).isTrue();
        assertThat(health.snapshot(T0)).isEqualTo(new ProxyHealth.Snapshot(T0, true, false, Optional.empty(), java.util.List.of()));
    }

    @Test
    void firstSyncDoneOnlyAfterAnUpdate() {
        ProxyHealth health = new ProxyHealth(TIMEOUT);
        health.queuedUpdate(T0);
        assertThat(health.firstSyncDone()).isFalse();
        assertThat(health.lastUpdated()).isEmpty();
        health.updated(T0.plusSeconds(1));
        assertThat(health.firstSyncDone()).isTrue();
        assertThat(health.lastUpdated()).contains(T0.plusSeconds(1));
    }

    @Test
    void timeoutIsTwiceTheSyncPeriodLikeKubeProxy() {
        assertThat(ProxyHealth.forSyncPeriod(ProxyHealth.DEFAULT_SYNC_PERIOD).healthTimeout())
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(new ProxyHealth(Duration.ofSeconds(7)).healthTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThatThrownBy(() -> new ProxyHealth(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
