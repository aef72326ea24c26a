package dev.sluice.control.model;

import static dev.sluice.control.model.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CidrTest {

    @Test
    void parsesAndMasksHostBits() {
        Cidr cidr = Cidr.parse("192.168.1.77/20");
        assertThat(cidr).isEqualTo(new Cidr(ip("192.168.0.0"), 20));
        assertThat(cidr).hasToString("192.168.0.0/20");
        assertThat(cidr.family()).isEqualTo(IpFamily.IPV4);
        assertThat(cidr.contains(ip("192.168.15.255"))).isTrue();
        assertThat(cidr.contains(ip("192.168.16.0"))).isFalse();
        assertThat(cidr.contains(ip("::ffff:192.168.1.1"))).isTrue(); // IPv4-mapped is IPv4, as in Go
        assertThat(cidr.contains(ip("fd00::1"))).isFalse();
    }

    @Test
    void ipv6AndEdgePrefixes() {
        Cidr v6 = Cidr.parse("2001:db8::1/32");
        assertThat(v6.family()).isEqualTo(IpFamily.IPV6);
        assertThat(v6.contains(ip("2001:db8:ffff::"))).isTrue();
        assertThat(v6.contains(ip("2001:db9::"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("8.8.8.8"))).isTrue();
        assertThat(Cidr.parse("::/0").contains(ip("8.8.8.8"))).isFalse();
        assertThat(Cidr.parse("10.1.2.3/32").contains(ip("10.1.2.3"))).isTrue();
        assertThat(Cidr.parse("fd00::7/128").contains(ip("fd00::8"))).isFalse();
    }

    @Test
    void rejectsInvalidText() {
        for (String bad : new String[] {"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "fd00::/129", "10.0.0.0/-1", "10.0.0.0/+8",
                "10.0.0/8", "host/8", "10.0.0.0/8/8", "", "/8"}) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void ipAddressesParsesOnlyLiterals() {
        assertThat(IpAddresses.parse("010.001.000.001")).isEqualTo(ip("10.1.0.1"));
        assertThat(IpFamily.of(IpAddresses.parse("::1"))).isEqualTo(IpFamily.IPV6);
        for (String bad : new String[] {"localhost", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.256", "::g", "fe80::1%lo", "[::1]", " 1.2.3.4"}) {
            assertThatThrownBy(() -> IpAddresses.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
