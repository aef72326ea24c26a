package dev.sluice.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Volume;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.PrivateBpffs;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.utility.DockerImageName;

/**
 * The image as a DaemonSet runs it: the agent on the host's network namespace, a read-only root
 * filesystem, only CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON, watching an API server over TLS. It
 * attaches to no interface (no --interfaces, no --pod-interfaces) and pins into a bpffs of the
 * test's own; the CLI, run inside the container as 'kubectl exec' would, reads back what it programmed.
 */
@KernelTest
@ExtendWith(DockerRequirements.class)
class SluiceImageIT {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceImageIT.class);
    private static final String IMAGE = System.getProperty("sluice.image.name", "sluice:0.1.0-SNAPSHOT");
    private static final Path IMAGE_TAR = Path.of(System.getProperty("sluice.image.tar", "target/sluice-image.tar"));
    // 198.18.0.0/15 is routed nowhere; nothing is sent to it, the agent only programs it as a NodePort address.
    private static final String NODE_ADDRESS = "198.18.0.10";
    private static final String CLUSTER_IP = "10.96.0.10";
    private static final String POD = "10.244.1.5";
    private static final int NODE_PORT = 30080;
    private static final String BPFFS_IN_CONTAINER = "/sys/fs/bpf";
    private static final String PINS = BPFFS_IN_CONTAINER + "/sluice";
    private static final String KUBECONFIG = "/etc/sluice/kubeconfig";
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);

    @BeforeAll
    static void loadImage() throws IOException {
        DockerClient docker = DockerClientFactory.instance().client();
        try (InputStream tar = Files.newInputStream(IMAGE_TAR)) {
            docker.loadImageCmd(tar).exec();
        }
    }

    @Test
    void agentProgramsItsMapsAndTheCliReadsThemBack(@TempDir Path config) throws Exception {
        int metricsPort = freePort();
        int healthzPort = freePort();
        try (HttpsApiServer api = HttpsApiServer.start();
             PrivateBpffs bpffs = PrivateBpffs.mount()) {
            seed(api.client());
            // The mock's self-signed certificate names localhost (no IP SAN), so the agent verifies it by that name.
            Path kubeconfig = api.writeKubeconfig(config, "localhost");
            try (GenericContainer<?> agent = agent(kubeconfig, bpffs.root(), metricsPort, healthzPort)) {
                agent.start();
                awaitReady(agent, metricsPort);

                ExecResult services = agent.execInContainer("sluice", "services", "-o", "json", "--bpffs-root", PINS);
                assertThat(services.getExitCode()).as(services.getStderr()).isZero();
                JsonNode entries = new ObjectMapper().readTree(services.getStdout());
                assertThat(frontend(entries, CLUSTER_IP, 80)).isEqualTo("ClusterIP -> " + POD + ":8080");
                assertThat(frontend(entries, NODE_ADDRESS, NODE_PORT)).isEqualTo("NodePort -> " + POD + ":8080");

                ExecResult status = agent.execInContainer("sluice", "status", "-o", "json");
                assertThat(status.getExitCode()).as(status.getStderr()).isZero();
                JsonNode agentStatus = new ObjectMapper().readTree(status.getStdout());
                assertThat(agentStatus.path("ready").asBoolean()).isTrue();
                assertThat(agentStatus.path("status").path("source").asText()).isEqualTo("kubernetes");
                assertThat(agentStatus.path("status").path("firstSyncDone").asBoolean()).isTrue();

                assertToolsStart(agent);
            }
        }
    }

    /** The image as the DaemonSet runs it; the caller closes (stops and removes) it. */
    private static GenericContainer<?> agent(Path kubeconfig, Path bpffs, int metricsPort, int healthzPort) {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE));
        // Never pull: the image came from the tar, and no registry is reachable.
        container.withImagePullPolicy(image -> false)
                // The daemon has no bridge; on the host's namespace every socket here is on loopback.
                .withNetworkMode("host")
                .withEnv(Map.of("KUBECONFIG", KUBECONFIG, "SLUICE_AGENT", "127.0.0.1:" + metricsPort))
                .withCommand("--node-name", "node-a",
                        "--node-addresses", NODE_ADDRESS,
                        "--metrics-bind-address", "127.0.0.1:" + metricsPort,
                        "--healthz-bind-address", "127.0.0.1:" + healthzPort,
                        "--health-check-addresses", "127.0.0.1",
                        "--bpffs-root", PINS,
                        "--maglev-table-size", "251")
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("sluice-agent")))
                .withCreateContainerCmdModifier(create -> create.getHostConfig()
                        .withReadonlyRootfs(true)
                        .withPrivileged(false)
                        .withCapDrop(Capability.ALL)
                        .withCapAdd(DaemonCapabilities.datapath(IMAGE))
                        .withBinds(
                                new Bind(kubeconfig.toString(), new Volume(KUBECONFIG), AccessMode.ro),
                                new Bind(bpffs.toString(), new Volume(BPFFS_IN_CONTAINER), AccessMode.rw)));
        return container;
    }

    private static void seed(KubernetesClient api) {
        api.resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(NODE_ADDRESS).endAddress()
                .endStatus().build()).create();
        api.resource(new ServiceBuilder()
                .withNewMetadata().withNamespace("default").withName("web").endMetadata()
                .withNewSpec().withType("NodePort").withClusterIP(CLUSTER_IP).withClusterIPs(CLUSTER_IP)
                .withIpFamilies("IPv4")
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").withNodePort(NODE_PORT).endPort()
                .endSpec().build()).create();
        api.resource(new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("default").withName("web-abc")
                .withLabels(Map.of("kubernetes.io/service-name", "web")).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses(POD).withNodeName("node-a")
                .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                .endEndpoint()
                .build()).create();
    }

    private static void awaitReady(GenericContainer<?> agent, int metricsPort) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/readyz"))
                .timeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(READY_WITHIN);
        int last = -1;
        while (Instant.now().isBefore(deadline)) {
            if (!agent.isRunning()) {
                throw new AssertionError("the agent exited:\n" + agent.getLogs());
            }
            try {
                last = http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                LOG.debug("readyz: {}", notYetListening.toString());
            }
            Thread.sleep(250);
        }
        throw new AssertionError("/readyz not 200 within " + READY_WITHIN + " (last " + last + "):\n" + agent.getLogs());
    }

    /** "TYPE -> backend:port, ..." of the frontend at address:port in 'sluice services -o json'. */
    private static String frontend(JsonNode entries, String address, int port) {
        for (JsonNode entry : entries) {
            JsonNode frontend = entry.path("frontend");
            if (frontend.path("address").asText().equals(address) && frontend.path("port").asInt() == port) {
                List<String> backends = new ArrayList<>();
                entry.path("backends").forEach(b -> backends.add(b.path("address").asText() + ":" + b.path("port").asInt()));
                return frontend.path("type").asText() + " -> " + String.join(", ", backends);
            }
        }
        return "no frontend " + address + ":" + port + " in " + entries;
    }

    /** The tools the kube-proxy cleanup runs, and the shell, start: their libraries are all in the image. */
    private static void assertToolsStart(GenericContainer<?> agent) throws IOException, InterruptedException {
        for (String tool : List.of("iptables", "iptables-save", "iptables-restore", "ip6tables", "ip6tables-save",
                "ip6tables-restore", "iptables-nft", "iptables-legacy", "ip6tables-legacy-save",
                "iptables-legacy-restore", "nft")) {
            ExecResult version = agent.execInContainer(tool, "--version");
            assertThat(version.getExitCode()).as(tool + ": " + version.getStderr()).isZero();
        }
        for (List<String> command : List.of(List.of("ip", "-V"), List.of("ipset", "--help"))) {
            ExecResult run = agent.execInContainer(command.toArray(String[]::new));
            assertThat(run.getExitCode()).as(command + ": " + run.getStderr()).isZero();
        }
        ExecResult shell = agent.execInContainer("/bin/sh", "-c", "echo $((6 * 7))");
        assertThat(shell.getStdout().trim()).isEqualTo("42");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
