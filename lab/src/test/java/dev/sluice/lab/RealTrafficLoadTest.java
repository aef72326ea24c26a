package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 30 s of mixed traffic from several clients at once, through the services that spread over all
 * four pods: NodePorts from the external client and ClusterIPs from pods, IPv4 and IPv6; kept
 * connections and new ones; every response and request size up to 64 KiB; sessions that the
 * client ends and ones the server ends. Not a benchmark: the figures are printed, and what must
 * hold is that nothing failed and not one byte was wrong.
 */
class RealTrafficLoadTest extends RealTrafficTest {
    private static final Logger LOG = LoggerFactory.getLogger(RealTrafficLoadTest.class);
    private static final Duration RUN = Duration.ofSeconds(30);
    private static final long[] RESPONSES = {0, 612, 1449, 64 * 1024};
    private static final long[] REQUESTS = {300, 2048};
    private static final int MAX_KEPT_EXCHANGES = 10;
    private static final int FAILURES_SHOWN = 10;
    /** Six clients and the servers saturate two cores: see {@link PayloadConnection#tolerant}. */
    private static final Duration SILENCE = Duration.ofSeconds(3);

    private record Client(String name, String from, InetSocketAddress target) {
    }

    /** Six clients for two cores: the servers, the agents and the kernel's forwarding share them. */
    private static List<Client> clients() {
        String nodeA = LabTopology.NODE_ADDRESSES.get("node-a");
        String nodeB6 = LabTopology.NODE_ADDRESSES6.get("node-b");
        return List.of(
                new Client("NodePort via node-a, IPv4", TrafficPath.CLIENT, new InetSocketAddress(nodeA, RealTrafficManifest.ALL_NODE_PORT)),
                new Client("NodePort via node-b, IPv6", TrafficPath.CLIENT, new InetSocketAddress(nodeB6, RealTrafficManifest.ALL_NODE_PORT6)),
                new Client("NodePort via node-b, IPv4", TrafficPath.CLIENT,
                        new InetSocketAddress(LabTopology.NODE_ADDRESSES.get("node-b"), RealTrafficManifest.ALL_NODE_PORT)),
                new Client("ClusterIP from web-a1, IPv4", "web-a1", new InetSocketAddress(RealTrafficManifest.ALL_IP, PayloadServer.PORT)),
                new Client("ClusterIP from web-b1, IPv6", "web-b1", new InetSocketAddress(RealTrafficManifest.ALL_IP6, PayloadServer.PORT)),
                new Client("ClusterIP from web-b0, IPv4", "web-b0", new InetSocketAddress(RealTrafficManifest.ALL_IP, PayloadServer.PORT)));
    }

    /** What one client did. */
    private static final class Tally {
        final AtomicLong connections = new AtomicLong();
        final AtomicLong exchanges = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong wrongBytes = new AtomicLong();
    }

    @Test
    void thirtySecondsOfMixedTrafficWithoutAFailureOrAWrongByte() throws InterruptedException {
        List<Client> clients = clients();
        List<Tally> tallies = new ArrayList<>();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + RUN.toNanos();
        List<Thread> workers = new ArrayList<>();
        for (Client client : clients) {
            Tally tally = new Tally();
            tallies.add(tally);
            NetworkNamespace namespace = client.from().equals(TrafficPath.CLIENT) ? lab.topology().client()
                    : pod(client.from()).namespace();
            workers.add(Thread.ofPlatform().name("load " + client.name()).start(
                    () -> namespace.run(() -> drive(client, tally, deadline, failures))));
        }
        for (Thread worker : workers) {
            // Each exchange is bounded by its budget, so workers end soon after the deadline.
            worker.join(RUN.plusSeconds(30).toMillis());
            assertThat(worker.isAlive()).as("%s still running long after the deadline", worker.getName()).isFalse();
        }
        Tally total = new Tally();
        StringBuilder table = new StringBuilder(String.format("%n  %-30s %11s %10s %12s %12s %9s %6s%n", "CLIENT",
                "CONNECTIONS", "EXCHANGES", "RECEIVED", "SENT", "FAILURES", "WRONG"));
        for (int i = 0; i < clients.size(); i++) {
            Tally t = tallies.get(i);
            table.append(row(clients.get(i).name(), t));
            total.connections.addAndGet(t.connections.get());
            total.exchanges.addAndGet(t.exchanges.get());
            total.received.addAndGet(t.received.get());
            total.sent.addAndGet(t.sent.get());
            total.failures.addAndGet(t.failures.get());
            total.wrongBytes.addAndGet(t.wrongBytes.get());
        }
        table.append(row("total in " + RUN.toSeconds() + " s", total));
        LOG.info("mixed load:{}", table);
        assertThat(total.connections.get()).as("connections opened").isPositive();
        assertThat(total.wrongBytes.get()).as("exchanges with wrong bytes; first failures: %s", failures).isZero();
        assertThat(total.failures.get()).as("failed exchanges; first failures: %s", failures).isZero();
    }

    private static String row(String name, Tally t) {
        return String.format("  %-30s %11d %10d %12d %12d %9d %6d%n", name, t.connections.get(), t.exchanges.get(),
                t.received.get(), t.sent.get(), t.failures.get(), t.wrongBytes.get());
    }

    /** Sessions until the deadline: half on one connection per exchange, half kept for up to ten. */
    private static void drive(Client client, Tally tally, long deadline, Queue<String> failures) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (System.nanoTime() < deadline) {
            int exchanges = random.nextBoolean() ? 1 : 2 + random.nextInt(MAX_KEPT_EXCHANGES - 1);
            PayloadConnection connection = null;
            try {
                connection = PayloadConnection.openHere(client.target(), null).tolerant(SILENCE);
                tally.connections.incrementAndGet();
                for (int i = 0; i < exchanges && System.nanoTime() < deadline; i++) {
                    boolean last = i == exchanges - 1;
                    if (random.nextInt(3) == 0) {
                        long size = REQUESTS[random.nextInt(REQUESTS.length)];
                        connection.upload(size);
                        tally.sent.addAndGet(size);
                    } else {
                        long size = RESPONSES[random.nextInt(RESPONSES.length)];
                        // A third of the sessions end with the server's FIN, the others with the client's.
                        if (last && random.nextInt(3) == 0) {
                            connection.receiveUntilServerCloses(size);
                        } else {
                            connection.receive(size);
                        }
                        tally.received.addAndGet(size);
                    }
                    tally.exchanges.incrementAndGet();
                }
            } catch (TransferFailure failure) {
                tally.failures.incrementAndGet();
                if (failure instanceof WrongBytes) {
                    tally.wrongBytes.incrementAndGet();
                }
                if (failures.size() < FAILURES_SHOWN) {
                    failures.add(client.name() + ": " + failure.getMessage());
                }
            } catch (java.io.IOException unexpected) {
                tally.failures.incrementAndGet();
                if (failures.size() < FAILURES_SHOWN) {
                    failures.add(client.name() + ": " + unexpected);
                }
            } finally {
                if (connection != null) {
                    connection.close();
                }
            }
        }
    }
}
