package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A pod reaching a ClusterIP service that has no endpoints must be told at once, as kube-proxy's
 * REJECT rules tell it: TCP connection refused (an RST) and UDP port unreachable (ICMP), not
 * silence, which makes every client wait for its own timeout. From pods on both nodes, IPv4 and IPv6.
 */
class RealTrafficNoEndpointsTest extends RealTrafficTest {
    private static final Duration AT_ONCE = Duration.ofSeconds(1);
    /** Over {@link #AT_ONCE}, so a slow refusal and none at all are told apart. */
    private static final int TIMEOUT_MILLIS = 1500;

    static Stream<Arguments> origins() {
        List<Arguments> origins = new ArrayList<>();
        for (String pod : List.of("web-a1", "web-b1")) {
            origins.add(Arguments.of(pod, RealTrafficManifest.EMPTY_IP));
            origins.add(Arguments.of(pod, RealTrafficManifest.EMPTY_IP6));
        }
        return origins.stream();
    }

    @ParameterizedTest(name = "from {0} to {1}")
    @MethodSource("origins")
    void tcpIsRefusedWithinASecond(String from, String clusterIp) {
        long started = System.nanoTime();
        Throwable thrown = Failures.thrownBy(() -> pod(from).namespace().run(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(clusterIp, PayloadServer.PORT), TIMEOUT_MILLIS);
            }
        }));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(thrown).as("connect from %s to %s:%d, a service without endpoints (after %s)", from, clusterIp,
                PayloadServer.PORT, Millis.of(took)).isInstanceOf(ConnectException.class).hasMessageContaining("refused");
        assertThat(took).as("time to the refusal").isLessThan(AT_ONCE);
    }

    @ParameterizedTest(name = "from {0} to {1}")
    @MethodSource("origins")
    void udpGetsPortUnreachable(String from, String clusterIp) {
        long started = System.nanoTime();
        Throwable thrown = Failures.thrownBy(() -> pod(from).namespace().run(() -> {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.connect(new InetSocketAddress(clusterIp, RealTrafficManifest.DNS_PORT));
                socket.setSoTimeout(TIMEOUT_MILLIS);
                byte[] request = {'h', 'i'};
                socket.send(new DatagramPacket(request, request.length));
                socket.receive(new DatagramPacket(new byte[64], 64));
            }
        }));
        assertThat(thrown).as("a datagram from %s to %s:%d, a service without endpoints (after %s)", from, clusterIp,
                RealTrafficManifest.DNS_PORT, Millis.since(started)).isInstanceOf(PortUnreachableException.class);
    }
}
