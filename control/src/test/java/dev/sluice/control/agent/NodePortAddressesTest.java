package dev.sluice.control.agent;

import static dev.sluice.control.agent.Cluster.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodePortAddressesTest {
    private static final List<InetAddress> NODE = List.of(ip("192.168.0.10"), ip("10.0.0.10"), ip("2001:db8::10"));

    @Test
    void cidrsSelectTheNodeAddressesInsideThem() {
        assertThat(NodePortAddresses.parse(List.of("10.0.0.0/8", "2001:db8::/64")).select(NODE))
                .containsExactly(ip("10.0.0.10"), ip("2001:db8::10"));
        assertThat(NodePortAddresses.parse(List.of("0.0.0.0/0")).select(NODE))
                .containsExactly(ip("192.168.0.10"), ip("10.0.0.10"));
        assertThat(NodePortAddresses.parse(List.of("172.16.0.0/12")).select(NODE)).isEmpty();
    }

    @Test
    void keywordsAndNothingKeepEveryNodeAddress() {
        assertThat(NodePortAddresses.parse(null).select(NODE)).isEqualTo(NODE);
        assertThat(NodePortAddresses.parse(List.of("primary")).select(NODE)).isEqualTo(NODE);
        assertThat(NodePortAddresses.parse(List.of("all", "10.0.0.0/8")).select(NODE)).isEqualTo(NODE);
    }

    @Test
    void loopbackAndGarbageAreRefusedByName() {
        assertThatThrownBy(() -> NodePortAddresses.parse(List.of("localhost"))).hasMessageContaining("'localhost'");
        assertThatThrownBy(() -> NodePortAddresses.parse(List.of("127.0.0.0/8"))).hasMessageContaining("127.0.0.0/8 is loopback");
        assertThatThrownBy(() -> NodePortAddresses.parse(List.of("eth0"))).hasMessageContaining("'eth0' is neither a CIDR");
    }
}
