package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every way a connection ends ({@link Ending}), then a new connection from the same client address
 * and port, as clients with fixed or quickly recycled ports do: at once, and once 15 s later. The
 * datapath must not keep state of the old connection that breaks the new one. Each case is played
 * straight to the pod first, as a control: that proves the client's own stack allows the new
 * connection, so a failure through the service is the datapath's.
 */
class RealTrafficLifecycleTest extends RealTrafficTest {
    private static final Logger LOG = LoggerFactory.getLogger(RealTrafficLifecycleTest.class);
    private static final Duration LATER = Duration.ofSeconds(15);
    /** Long enough for the server's ACK of a FIN, many times over, in a lab whose round trips take microseconds. */
    private static final Duration CLOSING_PATIENCE = Duration.ofSeconds(1);
    /** A connect that took longer needed a second SYN: the first one was dropped. */
    private static final Duration ONE_SYN = Duration.ofMillis(900);

    /** Fixed client ports below the ephemeral range, so no socket the kernel numbers can take one. */
    private final AtomicInteger nextPort = new AtomicInteger(20000);

    static List<TrafficPath> paths() {
        List<TrafficPath> paths = new ArrayList<>();
        for (boolean ipv6 : List.of(false, true)) {
            paths.addAll(TrafficPath.nodePorts(ipv6).subList(0, 2));
            paths.add(TrafficPath.clusterIp("web-a1", 0, true, ipv6));
            paths.add(TrafficPath.clusterIp("web-a1", 2, false, ipv6));
        }
        return paths;
    }

    static Stream<Arguments> cases() {
        return paths().stream().flatMap(path -> Stream.of(Ending.values()).map(ending -> Arguments.of(path, ending)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void aNewConnectionFromTheSamePortWorksAtOnce(TrafficPath path, Ending ending) {
        InetSocketAddress control = local(path);
        end(path, ending, path.direct(lab), control);
        reconnect(path, path.direct(lab), control, "control, straight to the pod");

        InetSocketAddress local = local(path);
        end(path, ending, path.target(), local);
        reconnect(path, path.target(), local, "through the service");
    }

    /** One wait for all cases: the datapath's closing state may live longer than a connection's, but not for ever. */
    @Test
    void aNewConnectionFromTheSamePortWorks15SecondsLater() throws InterruptedException {
        record Ended(TrafficPath path, Ending ending, InetSocketAddress target, InetSocketAddress local, String how) {
        }
        List<Ended> ended = new ArrayList<>();
        for (TrafficPath path : paths()) {
            for (Ending ending : Ending.values()) {
                InetSocketAddress control = local(path);
                end(path, ending, path.direct(lab), control);
                ended.add(new Ended(path, ending, path.direct(lab), control, "control, straight to the pod"));
                InetSocketAddress local = local(path);
                try {
                    end(path, ending, path.target(), local);
                    ended.add(new Ended(path, ending, path.target(), local, "through the service"));
                } catch (TransferFailure failure) {
                    // Already broken before the wait: the test at once reports that; nothing to learn later.
                    LOG.info("{} on {} failed before the wait: {}", ending, path, failure.getMessage());
                }
            }
        }
        // The elapsed time is the condition under test, not a stand-in for an event.
        Thread.sleep(LATER);
        List<String> failures = new ArrayList<>();
        for (Ended end : ended) {
            try {
                reconnect(end.path(), end.target(), end.local(), end.how());
            } catch (AssertionError failure) {
                failures.add(end.ending() + " on " + end.path() + ": " + failure.getMessage());
            }
        }
        assertThat(failures).as("new connections from the same port %s after the old one ended", LATER).isEmpty();
    }

    private InetSocketAddress local(TrafficPath path) {
        return new InetSocketAddress(path.source(lab), nextPort.getAndIncrement());
    }

    private void end(TrafficPath path, Ending ending, InetSocketAddress target, InetSocketAddress local) {
        try (PayloadConnection connection = PayloadConnection.open(path.origin(lab), target, local)) {
            ending.play(connection);
        }
    }

    /** A new connection from {@code local} must connect on its first SYN and be answered by the right pod. */
    private void reconnect(TrafficPath path, InetSocketAddress target, InetSocketAddress local, String how) {
        try (PayloadConnection connection = PayloadConnection.reopen(path.origin(lab), target, local, CLOSING_PATIENCE)) {
            assertThat(connection.connectTime()).as("%s: connect of the new connection %s (over %s: the first SYN was dropped)",
                    how, connection, ONE_SYN).isLessThan(ONE_SYN);
            assertThat(connection.who().pod()).as("%s: the pod answering %s", how, connection)
                    .isEqualTo(path.backendPod(lab).name());
        } catch (TransferFailure failure) {
            throw new TransferFailure(how + ": the new connection from the same port failed: " + failure.getMessage(), failure);
        }
    }
}
