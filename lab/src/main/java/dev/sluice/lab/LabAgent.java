package dev.sluice.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ffm.sys.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real sluice agent process running inside a node's namespace, with its own bpffs, its log in the
 * lab's run directory. It reads a standalone manifest, or watches an API server (see {@link #onKubernetes}).
 */
final class LabAgent implements AutoCloseable {
    static final String METRICS_ADDRESS = "127.0.0.1";
    static final int METRICS_PORT = 10249;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String node;
    private final NetworkNamespace namespace;
    private final Path bpffsRoot;
    private final Path manifest;
    private final String apiServer;
    private final Path log;
    private final LabDatapath datapath;
    private Process process;

    LabAgent(String node, NetworkNamespace namespace, Path bpffsRoot, Path manifest, Path log, LabDatapath datapath) {
        this(node, namespace, bpffsRoot, manifest, null, log, datapath);
    }

    private LabAgent(String node, NetworkNamespace namespace, Path bpffsRoot, Path manifest, String apiServer, Path log,
                     LabDatapath datapath) {
        this.node = node;
        this.namespace = namespace;
        this.bpffsRoot = bpffsRoot;
        this.manifest = manifest;
        this.apiServer = apiServer;
        this.log = log;
        this.datapath = datapath;
    }

    /** An agent on the Kubernetes source, watching the plain-HTTP API server at {@code apiServer}. */
    static LabAgent onKubernetes(String node, NetworkNamespace namespace, Path bpffsRoot, String apiServer, Path log) {
        return new LabAgent(node, namespace, bpffsRoot, null, apiServer, log, LabDatapath.EBPF);
    }

    /**
     * Starts the agent and waits until its first sync is done (its /readyz says 200). After
     * {@link #kill} this starts a new agent on the same bpffs, which adopts the pinned datapath.
     */
    void start(Duration timeout) {
        launch();
        awaitReady(Instant.now().plus(timeout));
    }

    /**
     * Starts the agent without waiting for it, so a lab starts its agents side by side: an agent's
     * JVM start is most of a lab's start in an emulated guest.
     */
    void launch() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the agent of " + node + " is running");
        }
        List<String> command = new ArrayList<>(agentCommand());
        // Named, not auto (but for the fallback under test): a lab meant for one datapath must not
        // quietly run on the other.
        command.addAll(List.of("--datapath", datapath.flag(), "--node-name", node,
                "--node-addresses", LabTopology.NODE_ADDRESSES.get(node) + "," + LabTopology.NODE_ADDRESSES6.get(node),
                "--interfaces", "eth0", "--pod-interfaces", "veth*",
                "--cluster-cidrs", LabTopology.CLUSTER_CIDRS, "--masquerade",
                "--bpffs-root", bpffsRoot.toString(),
                // IPVS state is per network namespace: each node keeps its own lock and services.json.
                "--ipvs-run-dir", ipvsRunDir(bpffsRoot).toString(),
                "--metrics-bind-address", METRICS_ADDRESS + ":" + METRICS_PORT,
                "--healthz-bind-address", "0.0.0.0:10256"));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (apiServer == null) {
            command.addAll(List.of("--manifest", manifest.toString()));
        } else {
            // What the agent's KubernetesClientBuilder reads; the lab has no kubeconfig or service account.
            Map<String, String> environment = builder.environment();
            environment.put("KUBERNETES_MASTER", apiServer);
            environment.put("KUBERNETES_TRUST_CERTIFICATES", "true");
            environment.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
            environment.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
            environment.put("KUBERNETES_NAMESPACE", "default");
            environment.put("NODE_NAME", node);
        }
        try {
            process = builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the agent of " + node, e);
        }
    }

    /** Waits until the launched agent's first sync is done (its /readyz says 200). */
    void awaitReady(Instant deadline) {
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the agent of " + node + " exited with " + process.exitValue()
                        + "; see " + log);
            }
            if (ready()) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("the agent of " + node + " was not ready by " + deadline + "; see " + log);
    }

    /** The agent's java command line, run inside the node's namespace, before its arguments. */
    private List<String> agentCommand() {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace.name()));
        command.addAll(datapath.confinement());
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.sluice.control.agent.SluiceAgent"));
        return command;
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    /**
     * Runs the agent's command once in the node's namespace with {@code arguments} (a one-shot
     * mode such as --cleanup-kube-proxy), its output appended to the agent's log; its exit code.
     */
    int runOnce(Duration timeout, String... arguments) {
        List<String> command = new ArrayList<>(agentCommand());
        command.addAll(List.of(arguments));
        try {
            Process once = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!once.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                once.destroyForcibly().waitFor();
                throw new IllegalStateException("sluice " + List.of(arguments) + " on " + node + " ran over " + timeout
                        + "; see " + log);
            }
            return once.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run sluice " + List.of(arguments) + " on " + node, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean ready() {
        String reply = get("/readyz");
        return reply != null && reply.matches("(?s)HTTP/1\\.[01] 200 .*");
    }

    /** The agent's Prometheus exposition (/metrics), or null while it does not answer. */
    String metrics() {
        String reply = get("/metrics");
        if (reply == null || !reply.matches("(?s)HTTP/1\\.[01] 200 .*")) {
            return null;
        }
        return reply.substring(reply.indexOf("\r\n\r\n") + 4);
    }

    /** The agent's /statusz, or null while it does not answer. */
    JsonNode status() {
        String reply = get("/statusz");
        if (reply == null || !reply.matches("(?s)HTTP/1\\.[01] 200 .*")) {
            return null;
        }
        try {
            return JSON.readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable /statusz of " + node, e);
        }
    }

    /** Waits until the agent reports a sync that finished at or after {@code earliest}. */
    void awaitSyncAfter(Instant earliest, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            JsonNode status = status();
            if (status != null && status.path("lastSync").isTextual()
                    && !Instant.parse(status.get("lastSync").asText()).isBefore(earliest)) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("the agent of " + node + " did not sync the manifest within " + timeout
                + "; see " + log);
    }

    /** Waits until the agent's last sync programmed the manifest revision {@code revision}. */
    void awaitRevision(String revision, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String seen = null;
        while (Instant.now().isBefore(deadline)) {
            JsonNode status = status();
            if (status != null) {
                seen = status.path("sourceRevision").asText(null);
                if (revision.equals(seen)) {
                    return;
                }
            }
            sleep(50);
        }
        throw new IllegalStateException("the agent of " + node + " did not program manifest revision " + revision
                + " within " + timeout + " (its last sync programmed " + seen + "); see " + log);
    }

    private String get(String path) {
        return namespace.call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(METRICS_ADDRESS, METRICS_PORT), 500);
                socket.setSoTimeout(2000);
                socket.getOutputStream().write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException notYet) {
                return null;
            }
        });
    }

    /** kill -9: the datapath stays pinned and attached. */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor();
        }
    }

    private void waitFor() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Path bpffsRoot() {
        return bpffsRoot;
    }

    LabDatapath datapath() {
        return datapath;
    }

    NetworkNamespace namespace() {
        return namespace;
    }

    Path log() {
        return log;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitFor();
        }
    }

    /** Where the agent whose maps are pinned under {@code bpffsRoot} keeps its IPVS lock and services.json. */
    static Path ipvsRunDir(Path bpffsRoot) {
        return bpffsRoot.resolveSibling("ipvs");
    }
}
