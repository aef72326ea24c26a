package dev.sluice.control.observe;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Timestamps in the exact text Go's {@code time.Time} JSON encoding produces (RFC 3339 with
 * nanoseconds, trailing zeros dropped), so clients parsing kube-proxy's bodies parse ours.
 * Always UTC, as kube-proxy in its usual UTC container.
 */
final class GoTime {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    /** Go's zero {@code time.Time}, what kube-proxy prints for "never". */
    static final String ZERO = "0001-01-01T00:00:00Z";

    private GoTime() {
    }

    static String rfc3339Nano(Instant instant) {
        StringBuilder text = new StringBuilder(SECONDS.format(instant));
        int nanos = instant.getNano();
        if (nanos != 0) {
            String fraction = String.format("%09d", nanos);
            int end = fraction.length();
            while (fraction.charAt(end - 1) == '0') {
                end--;
            }
            text.append('.').append(fraction, 0, end);
        }
        return text.append('Z').toString();
    }
}
