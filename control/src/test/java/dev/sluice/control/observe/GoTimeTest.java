package dev.sluice.control.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Expected strings are what Go's time.Time.MarshalJSON prints for the same UTC instants. */
class GoTimeTest {
    @Test
    void dropsTrailingZerosOfTheFraction() {
        assertThat(GoTime.rfc3339Nano(Instant.parse("2025-03-04T05:06:07Z"))).isEqualTo("2025-03-04T05:06:07Z");
        assertThat(GoTime.rfc3339Nano(Instant.parse("2025-03-04T05:06:07.120Z"))).isEqualTo("2025-03-04T05:06:07.12Z");
        assertThat(GoTime.rfc3339Nano(Instant.parse("2025-03-04T05:06:07.000000001Z")))
                .isEqualTo("2025-03-04T05:06:07.000000001Z");
        assertThat(GoTime.rfc3339Nano(Instant.parse("2025-03-04T05:06:07.123456789Z")))
                .isEqualTo("2025-03-04T05:06:07.123456789Z");
    }
}
