package dev.sluice.control.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PortRangeTest {
    @Test
    void parsesARangeAndASinglePort() {
        assertThat(PortRange.parse("--service-node-port-range", "30000-32767", "30000-32767"))
                .isEqualTo(new PortRange(30000, 32767));
        assertThat(PortRange.parse("--snat-ports", " 8080 ", "61000-65535")).isEqualTo(new PortRange(8080, 8080));
    }

    @Test
    void badRangesAreRefusedNamingTheFlag() {
        for (String bad : new String[] {"32767-30000", "0-10", "1-65536", "a-b", "1-2-3", ""}) {
            assertThatThrownBy(() -> PortRange.parse("--service-node-port-range", bad, "30000-32767"))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--service-node-port-range: '" + bad + "' is no port range like 30000-32767");
        }
    }
}
