package dev.sluice.control.source;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether KubernetesSource's informers are connected, as problem lines (for /statusz) and logs: a
 * WARN within seconds of an outage, again every minute while it lasts, an INFO once every informer
 * watches again.
 *
 * <p>The informers alone would say so late: fabric8 retries a request that cannot connect for
 * about 20 s before an informer hears of it, and a watch that breaks after the first list
 * reconnects without telling anyone. So while some informer is not watching, this checks every
 * second and, backing off to every 10 s, opens a TCP connection to the API server (no request:
 * nothing for RBAC or the API server to handle) to name the cause.
 */
final class ApiServerReachability implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServerReachability.class);
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    /** Bounds both the load on an API server that accepts but does not serve, and how stale "unreachable" gets. */
    private static final Duration MAX_PROBE_INTERVAL = Duration.ofSeconds(10);
    private static final int PROBE_TIMEOUT_MILLIS = 3000;
    /** Informers this long without a watch are worth reporting even when nothing has failed yet (fabric8 may still be retrying). */
    private static final Duration UNANSWERED = Duration.ofSeconds(10);
    private static final Duration REPEAT_WARNING = Duration.ofMinutes(1);

    private final String url;
    private final String host;
    private final int port;
    private final boolean probing;
    private final Supplier<List<String>> notWatching;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    /** The last list/watch failure of each informer (by kind) since it last watched; fabric8's threads write it. */
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    // Only touched on the executor's thread.
    private Instant since;
    private String unreachable;
    private Instant nextProbe;
    private Duration probeInterval = CHECK_INTERVAL;
    private Instant lastWarning;

    private volatile List<String> problems = List.of();

    /**
     * @param notWatching the kinds whose informer is not watching right now
     */
    ApiServerReachability(Config config, Supplier<List<String>> notWatching, Clock clock) {
        this.url = stripSlash(Objects.requireNonNull(config.getMasterUrl(), "master URL"));
        URI uri = URI.create(url);
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        // Through a proxy, a direct connection says nothing about the API server.
        this.probing = host != null && config.getHttpsProxy() == null && config.getHttpProxy() == null;
        this.notWatching = Objects.requireNonNull(notWatching, "notWatching");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.since = clock.instant();
        this.nextProbe = since;
        this.executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("api-server-reachability").daemon().factory());
    }

    void start() {
        executor.scheduleWithFixedDelay(this::checkGuarded, CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One line per problem, empty while every informer watches (or the outage is too young to tell). */
    List<String> problems() {
        return problems;
    }

    /** From an informer's exception handler: the cause to report for its kind until it watches again. */
    void informerFailed(String kind, Throwable error) {
        failures.put(kind, describe(error));
    }

    private void checkGuarded() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warn("Checking the API server's reachability failed", e); // and the next check runs anyway
        }
    }

    /** One round: runs every second on the executor's thread (tests call it directly instead). */
    void check() {
        List<String> down = notWatching.get();
        Instant now = clock.instant();
        failures.keySet().retainAll(down);
        if (down.isEmpty()) {
            if (!problems.isEmpty()) {
                LOG.info("API server {} reached again after {} s: every informer watches", url, seconds(since, now));
            }
            since = null;
            unreachable = null;
            problems = List.of();
            probeInterval = CHECK_INTERVAL;
            nextProbe = now;
            return;
        }
        if (since == null) {
            since = now;
        }
        if (probing && !now.isBefore(nextProbe)) {
            unreachable = probe();
            nextProbe = now.plus(probeInterval);
            probeInterval = min(probeInterval.multipliedBy(2), MAX_PROBE_INTERVAL);
        }
        List<String> current = problemLines(down, now);
        if (!current.isEmpty() && (problems.isEmpty() || !now.isBefore(lastWarning.plus(REPEAT_WARNING)))) {
            LOG.warn("{}{}", problems.isEmpty() ? "" : "Still, after " + seconds(since, now) + " s: ", String.join("; ", current));
            lastWarning = now;
        }
        problems = current;
    }

    private List<String> problemLines(List<String> down, Instant now) {
        String start = since.truncatedTo(ChronoUnit.SECONDS).toString();
        if (unreachable != null) {
            return List.of("API server " + url + " unreachable since " + start + ": " + unreachable);
        }
        // Once reported, an outage lasts until every informer watches again: a server that
        // accepts connections again is not yet a cluster followed again.
        if (failures.isEmpty() && now.isBefore(since.plus(UNANSWERED)) && problems.isEmpty()) {
            return List.of(); // starting, or a watch being renewed
        }
        String why = failures.isEmpty() ? "waiting for the API server"
                : "last failure: " + new TreeMap<>(failures).entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "));
        return List.of("API server " + url + ": " + String.join(", ", down) + " not watched since " + start + "; " + why);
    }

    /** Null when a TCP connection opens, else why not. */
    private String probe() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MILLIS);
            return null;
        } catch (IOException e) {
            return describe(e);
        }
    }

    /** HTTP status and message for an API server's answer, else the innermost cause: the wrappers only repeat the URL. */
    static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() > 0) {
                String message = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage() : k.getMessage();
                return "HTTP " + k.getCode() + ": " + firstLine(message);
            }
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage()));
    }

    private static String firstLine(String message) {
        String line = message.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static long seconds(Instant from, Instant to) {
        return Duration.between(from, to).toSeconds();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        // A probe may sit in connect() for up to its timeout; the daemon thread may finish it alone.
        executor.shutdownNow();
    }
}
