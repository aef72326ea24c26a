package dev.sluice.lab;

import java.time.Duration;

/** Durations as the suite prints them. */
final class Millis {
    private Millis() {
    }

    static String of(Duration duration) {
        return String.format("%.1f ms", duration.toNanos() / 1e6);
    }

    static String since(long startedNanos) {
        return of(Duration.ofNanos(System.nanoTime() - startedNanos));
    }
}
