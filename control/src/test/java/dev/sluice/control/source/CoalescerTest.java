package dev.sluice.control.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoalescerTest {

    @Test
    void aBurstRunsTheActionOnceAfterTheQuietPeriod() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        try (Coalescer coalescer = new Coalescer("test", Duration.ofMillis(100), Duration.ofSeconds(5), runs::incrementAndGet)) {
            for (int i = 0; i < 50; i++) {
                coalescer.signal();
                Thread.sleep(1);
            }
            assertThat(runs.get()).isZero();
            Thread.sleep(400);
            assertThat(runs.get()).isEqualTo(1);
        }
    }

    @Test
    void aNeverEndingStreamStillRunsEveryMaxDelayWithoutOverlap() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        Runnable action = () -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            runs.incrementAndGet();
        };
        try (Coalescer coalescer = new Coalescer("test", Duration.ofMillis(50), Duration.ofMillis(200), action)) {
            long end = System.nanoTime() + Duration.ofMillis(1000).toNanos();
            while (System.nanoTime() < end) {
                coalescer.signal();
                Thread.sleep(10);
            }
        }
        assertThat(runs.get()).isBetween(2, 10);
        assertThat(maxInFlight.get()).isEqualTo(1);
    }

    @Test
    void aFailingActionDoesNotStopLaterRuns() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        try (Coalescer coalescer = new Coalescer("test", Duration.ZERO, Duration.ZERO, () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("boom");
        })) {
            coalescer.signal();
            Thread.sleep(100);
            coalescer.signal();
            Thread.sleep(100);
        }
        assertThat(runs.get()).isEqualTo(2);
    }
}
