package dev.sluice.control.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * A real {@link SluiceAgent}, started through picocli with flags on a thread of its own, as
 * {@code main} would run it: no interfaces, loopback HTTP, a private bpffs root.
 */
final class AgentRun implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    final SluiceAgent agent;
    final int metricsPort;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Thread thread;

    private AgentRun(SluiceAgent agent, int metricsPort, String[] args) {
        this.agent = agent;
        this.metricsPort = metricsPort;
        this.thread = Thread.ofPlatform().name("sluice-agent-under-test").start(() -> {
            try {
                exit.complete(new CommandLine(agent).execute(args));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
    }

    /** The flags every test agent shares; {@code extra} adds or overrides. */
    static List<String> flags(Path bpffsRoot, int metricsPort, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--node-name", "node-a",
                "--bpffs-root", bpffsRoot.toString(),
                "--metrics-bind-address", "127.0.0.1:" + metricsPort,
                "--healthz-bind-address", "",
                "--health-check-addresses", "127.0.0.1",
                // Small maps load fast; the sizes must be the same for agents sharing a root.
                "--max-services", "4096", "--max-frontends", "4096",
                "--max-backends", "32768", "--max-connections", "4096"));
        args.addAll(List.of(extra));
        return args;
    }

    static AgentRun start(Supplier<KubernetesClient> client, Path bpffsRoot, String... extra) {
        int port = freePort();
        return new AgentRun(new SluiceAgent(client), port, flags(bpffsRoot, port, extra).toArray(String[]::new));
    }

    static AgentRun standalone(Path manifest, Path bpffsRoot, String... extra) {
        List<String> more = new ArrayList<>(List.of("--manifest", manifest.toString()));
        more.addAll(List.of(extra));
        return start(() -> {
            throw new AssertionError("a standalone agent must not ask for a Kubernetes client");
        }, bpffsRoot, more.toArray(String[]::new));
    }

    /** Waits until the agent serves /readyz with 200: its first sync is done. */
    AgentRun awaitReady() {
        await("the agent's first sync", Duration.ofSeconds(60), () -> {
            assertRunning();
            return get("/readyz").statusCode() == 200;
        });
        return this;
    }

    void assertRunning() {
        if (exit.isDone()) {
            throw new AssertionError("the agent exited: " + exit.handle((code, error) -> error != null ? error : "code " + code).join());
        }
    }

    HttpResponse<String> get(String path) {
        return get(metricsPort, path);
    }

    static HttpResponse<String> get(int port, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // Not listening yet (the agent is still loading the datapath): a 599 the pollers retry.
            return new Unreachable(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for an agent that is expected to exit on its own, and returns its exit status. */
    int awaitExit(Duration timeout) {
        try {
            return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the agent did not exit within " + timeout, e);
        }
    }

    /** Interrupts the agent's thread, as an embedding application might stop it. */
    void interrupt() {
        thread.interrupt();
    }

    /** Stops the agent as SIGTERM would and waits for it to have released everything. */
    int stop() {
        agent.stop();
        try {
            return exit.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the agent did not stop", e);
        }
    }

    @Override
    public void close() {
        if (!exit.isDone()) {
            agent.stop();
        }
        try {
            exit.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Reported by the test that stopped it, if it cares; an interrupted agent ends with an exception.
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        AssertionError last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
                last = null;
            } catch (AssertionError e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what, last);
    }

    private record Unreachable(HttpRequest request) implements HttpResponse<String> {
        public int statusCode() { return 599; }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true); }
        public String body() { return ""; }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public URI uri() { return request.uri(); }
        public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}
