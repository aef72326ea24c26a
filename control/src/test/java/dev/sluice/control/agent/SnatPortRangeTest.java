package dev.sluice.control.agent;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** SNAT ports and the node's own ephemeral ports never overlap. */
class SnatPortRangeTest {
    @Test
    void theDefaultRangeLiesAboveLinuxsDefaultEphemeralPorts() {
        assertThatCode(() -> NodeSettings.refuseEphemeralOverlap(61000, 65535, "32768\t60999\n")).doesNotThrowAnyException();
        assertThatCode(() -> NodeSettings.refuseEphemeralOverlap(20000, 29999, "32768\t60999\n")).doesNotThrowAnyException();
    }

    @Test
    void anOverlapIsRefusedNamingTheFlagAndTheSysctl() {
        assertThatThrownBy(() -> NodeSettings.refuseEphemeralOverlap(60000, 65535, "32768\t60999\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--snat-ports: 60000-65535")
                .hasMessageContaining("32768-60999")
                .hasMessageContaining("net.ipv4.ip_local_port_range");
        assertThatThrownBy(() -> NodeSettings.refuseEphemeralOverlap(61000, 65535, "1024 65535"))
                .hasMessageContaining("overlaps");
    }
}
