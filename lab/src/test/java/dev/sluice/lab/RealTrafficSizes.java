package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real transfers of every size through every path ({@link TrafficPath#all}), checked byte for
 * byte: responses from nothing to 10 MiB, requests up to 1 MiB, each on a new connection; and the
 * 10 MiB response timed through the service against the same transfer straight to the pod. The
 * sizes are those that found defects: 612 B is nginx's welcome page, 1449 B one byte over an
 * Ethernet MSS (two segments), 64 KiB a full TSO super-packet. Subclasses set the offloads.
 */
abstract class RealTrafficSizes extends RealTrafficTest {
    private static final Logger LOG = LoggerFactory.getLogger(RealTrafficSizes.class);
    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;
    static final List<Long> RESPONSES = List.of(0L, 612L, 1449L, 64 * KIB, 10 * MIB);
    static final List<Long> REQUESTS = List.of(300L, 2 * KIB, MIB);
    /** How much slower than straight to the pod a 10 MiB transfer through a service may be. */
    static final double MAX_SLOWDOWN = 3.0;
    private static final int TIMED_ROUNDS = 3;

    Stream<TrafficPath> paths() {
        return TrafficPath.all().stream();
    }

    /** Hairpin has no comparable baseline: straight to itself a pod's traffic never leaves it. */
    Stream<TrafficPath> pathsWithABaseline() {
        return paths().filter(path -> !path.hairpin());
    }

    /** Each size on its own connection, all at once: the sizes are independent, and a broken path fails in one timeout. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void responsesOfEverySizeArriveWhole(TrafficPath path) {
        assertTheRightPodAnswers(path);
        List<String> failures = Concurrently.failures(RESPONSES, size -> {
            try (PayloadConnection connection = PayloadConnection.open(path.origin(lab), path.target())) {
                connection.receive(size);
            }
        });
        assertThat(failures).as("responses that did not arrive whole through %s", path).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void requestsOfEverySizeArriveWhole(TrafficPath path) {
        assertTheRightPodAnswers(path);
        List<String> failures = Concurrently.failures(REQUESTS, size -> {
            try (PayloadConnection connection = PayloadConnection.open(path.origin(lab), path.target())) {
                connection.upload(size);
            }
        });
        assertThat(failures).as("requests that did not arrive whole through %s", path).isEmpty();
    }

    /**
     * Best of three against best of three, after one warm-up each, so neither JIT compilation nor
     * a stray scheduling delay decides. A service transfer is cut off once it is over the limit:
     * the verdict is known, and a datapath that crawls fails in a second, not in minutes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pathsWithABaseline")
    void tenMebibytesThroughTheServiceTakeAtMostThreeTimesAsLongAsStraightToThePod(TrafficPath path) {
        long size = 10 * MIB;
        timed(path, true, size, PayloadConnection.budgetFor(size));
        Duration direct = Duration.ofDays(1);
        Duration service = Duration.ofDays(1);
        List<String> overLimit = new ArrayList<>();
        try {
            timed(path, false, size, PayloadConnection.budgetFor(size));
        } catch (TransferFailure failure) {
            overLimit.add("warm-up: " + failure.getMessage());
        }
        for (int round = 0; round < TIMED_ROUNDS; round++) {
            Duration straight = timed(path, true, size, PayloadConnection.budgetFor(size));
            direct = straight.compareTo(direct) < 0 ? straight : direct;
            // The watchdog's own lateness must not fail a transfer that made it in time.
            Duration limit = Duration.ofNanos((long) (direct.toNanos() * MAX_SLOWDOWN)).plusMillis(20);
            try {
                Duration through = timed(path, false, size, limit);
                service = through.compareTo(service) < 0 ? through : service;
            } catch (TransferFailure failure) {
                overLimit.add(failure.getMessage());
            }
        }
        LOG.info("10 MiB {}: straight to the pod {}, through the service {} ({})", path, Millis.of(direct),
                service.toDays() > 0 ? "never within " + MAX_SLOWDOWN + "x" : Millis.of(service),
                service.toDays() > 0 ? "-" : String.format("%.2fx", (double) service.toNanos() / direct.toNanos()));
        assertThat(service.toNanos())
                .as("best 10 MiB transfer through %s vs %s straight to the pod (%s)", path, Millis.of(direct), overLimit)
                .isLessThanOrEqualTo((long) (direct.toNanos() * MAX_SLOWDOWN));
    }

    /** One 10 MiB response from connect to last byte, straight to the pod or through the service. */
    private Duration timed(TrafficPath path, boolean direct, long size, Duration budget) {
        long started = System.nanoTime();
        try (PayloadConnection connection = PayloadConnection.open(path.origin(lab),
                direct ? path.direct(lab) : path.target())) {
            connection.budget(budget).receive(size);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private void assertTheRightPodAnswers(TrafficPath path) {
        try (PayloadConnection connection = PayloadConnection.open(path.origin(lab), path.target())) {
            assertThat(connection.who().pod()).as("the pod answering through %s", path)
                    .isEqualTo(path.backendPod(lab).name());
        }
    }
}
