package dev.sluice.control.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.observe.MutableClock;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The problem lines while the API server accepts connections (a loopback socket nobody answers
 * on) but informers do not watch; rounds are run by hand on a clock moved by hand.
 */
class ApiServerReachabilityTest {

    private static final Instant START = Instant.parse("2025-06-01T12:00:00.250Z");

    private final MutableClock clock = new MutableClock(START);
    private ServerSocket listening;
    private String url;
    private volatile List<String> down = List.of("Service", "EndpointSlice", "Node");
    private ApiServerReachability reachability;

    @BeforeEach
    void listen() throws IOException {
        listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        url = "http://127.0.0.1:" + listening.getLocalPort();
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url + "/").build();
        reachability = new ApiServerReachability(config, () -> down, clock);
    }

    @AfterEach
    void close() throws IOException {
        reachability.close();
        listening.close();
    }

    @Test
    void aFailedListNamesTheKindAndTheApiServersAnswer() {
        reachability.informerFailed("EndpointSlice", new KubernetesClientException(new StatusBuilder().withCode(403)
                .withMessage("endpointslices.discovery.k8s.io is forbidden: User \"system:serviceaccount:kube-system:sluice\" cannot list resource")
                .build()));
        clock.step(Duration.ofSeconds(1));
        reachability.check();
        assertThat(reachability.problems()).containsExactly("API server " + url + ": Service, EndpointSlice, Node not watched since "
                + "2025-06-01T12:00:00Z; last failure: EndpointSlice: HTTP 403: endpointslices.discovery.k8s.io is forbidden: "
                + "User \"system:serviceaccount:kube-system:sluice\" cannot list resource");

        down = List.of("EndpointSlice"); // the others watch now; the failure stays until its informer watches too
        clock.step(Duration.ofSeconds(1));
        reachability.check();
        assertThat(reachability.problems()).singleElement().asString().contains(": EndpointSlice not watched since 2025-06-01T12:00:00Z; last failure: EndpointSlice: HTTP 403: ");

        down = List.of();
        reachability.check();
        assertThat(reachability.problems()).isEmpty();
    }

    @Test
    void informersStillListingAreAProblemOnlyAfterTenSeconds() {
        clock.step(Duration.ofSeconds(9));
        reachability.check();
        assertThat(reachability.problems()).as("a large first list is slow, not broken").isEmpty();

        clock.step(Duration.ofSeconds(1));
        reachability.check();
        assertThat(reachability.problems()).containsExactly("API server " + url
                + ": Service, EndpointSlice, Node not watched since 2025-06-01T12:00:00Z; waiting for the API server");
    }

    @Test
    void aNewOutageStartsWhenTheInformersStopWatching() {
        down = List.of();
        clock.step(Duration.ofMinutes(5));
        reachability.check();
        down = List.of("Node");
        clock.step(Duration.ofSeconds(1));
        reachability.check();
        reachability.informerFailed("Node", new CompletionException(new KubernetesClientException("Operation: [list]  for kind: [Node]",
                new ConnectException("Connection reset"))));
        reachability.check();
        assertThat(reachability.problems()).containsExactly("API server " + url
                + ": Node not watched since 2025-06-01T12:05:01Z; last failure: Node: ConnectException: Connection reset");
    }
}
