package dev.sluice.control.agent;

import static dev.sluice.control.agent.Cluster.ip;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.ffm.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Standalone mode: a manifest file instead of the API server, followed as it is edited. */
@KernelTest
class AgentStandaloneTest extends AgentTest {
    private static final Duration FOLLOW = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    static String node() {
        return """
                apiVersion: v1
                kind: Node
                metadata:
                  name: node-a
                status:
                  addresses:
                  - type: InternalIP
                    address: 192.168.0.10
                """;
    }

    static String service(String name, String clusterIp, int nodePort) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: ns
                spec:
                  type: NodePort
                  clusterIP: %s
                  ports:
                  - name: http
                    port: 80
                    nodePort: %d
                """.formatted(name, clusterIp, nodePort);
    }

    static String slice(String service, String... addresses) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s-1
                  namespace: ns
                  labels:
                    kubernetes.io/service-name: %s
                addressType: IPv4
                ports:
                - name: http
                  port: 8080
                endpoints:
                """.formatted(service, service));
        for (String address : addresses) {
            yaml.append("- addresses: [\"").append(address).append("\"]\n  nodeName: node-b\n");
        }
        return yaml.toString();
    }

    static String documents(String... documents) {
        return String.join("---\n", documents);
    }

    /** Replaces the file as editors save: write elsewhere, rename over it. */
    static void replace(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void mapsFollowTheManifestFile() throws Exception {
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, documents(node(), service("web", "10.96.0.10", 30080), slice("web", "10.244.1.5")));
        agent = AgentRun.standalone(manifest, bpffs.root(), "--maglev-table-size", "251").awaitReady();
        PinnedMaps maps = PinnedMaps.under(bpffs.root());

        int web = maps.ids().get("ns/web:http");
        assertThat(maps.frontends().keySet()).containsExactlyInAnyOrder(
                new FrontendKey(ip("10.96.0.10"), 80, 6), new FrontendKey(ip("192.168.0.10"), 30080, 6));
        assertThat(maps.services().get(web).withoutGeneration()).isEqualTo(new ServiceValue(0, 0, 251, 1));
        assertThat(new ObjectMapper().readTree(agent.get("/statusz").body()).get("source").asText())
                .isEqualTo("manifest " + manifest);

        // An edit: a second endpoint, a second service.
        replace(manifest, documents(node(), service("web", "10.96.0.10", 30080), slice("web", "10.244.1.5", "10.244.1.6"),
                service("api", "10.96.0.20", 30081), slice("api", "10.244.2.1")));
        AgentRun.await("the edit", FOLLOW, () -> maps.ids().containsKey("ns/api:http")
                && maps.services().get(web).backendCount() == 2);
        assertThat(maps.ids()).containsEntry("ns/web:http", web);
        assertThat(maps.backends().values()).extracting(BackendValue::withoutGeneration).containsExactlyInAnyOrder(new BackendValue(ip("10.244.1.5"), 8080, 0),
                new BackendValue(ip("10.244.1.6"), 8080, 0), new BackendValue(ip("10.244.2.1"), 8080, 0));
        assertThat(maps.frontends()).containsKey(new FrontendKey(ip("192.168.0.10"), 30081, 6));

        // Written in place this time (no rename): web goes.
        Files.writeString(manifest, documents(node(), service("api", "10.96.0.20", 30081), slice("api", "10.244.2.1")));
        AgentRun.await("web removed", FOLLOW, () -> !maps.ids().containsKey("ns/web:http"));
        assertThat(maps.frontends().keySet()).containsExactlyInAnyOrder(
                new FrontendKey(ip("10.96.0.20"), 80, 6), new FrontendKey(ip("192.168.0.10"), 30081, 6));
        assertThat(maps.backends().values()).extracting(BackendValue::withoutGeneration).containsExactly(new BackendValue(ip("10.244.2.1"), 8080, 0));

        // A broken save keeps what was programmed, and says so.
        replace(manifest, "kind: [\n");
        AgentRun.await("the problem reported", FOLLOW, () -> agent.get("/statusz").body().contains("keeping its previous content"));
        assertThat(maps.ids()).containsOnlyKeys("ns/api:http");
    }

    /** A manifest with the Node and one NodePort service web with one endpoint. */
    private Path webManifest() throws IOException {
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, documents(node(), service("web", "10.96.0.10", 30080), slice("web", "10.244.1.5")));
        return manifest;
    }

    private Path kubeProxyConfig(String yaml) throws IOException {
        return Files.writeString(dir.resolve("kube-proxy.conf"), yaml);
    }

    @Test
    void aKubeProxyConfigurationFileConfiguresTheAgent() throws Exception {
        Path manifest = webManifest();
        Path config = kubeProxyConfig("""
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                nodePortAddresses: [192.168.1.0/24]
                iptables:
                  masqueradeAll: false
                  syncPeriod: 30s
                """);
        agent = AgentRun.standalone(manifest, bpffs.root(), "--maglev-table-size", "251", "--config", config.toString(),
                "--node-addresses", "192.168.0.10,192.168.1.10").awaitReady();
        PinnedMaps maps = PinnedMaps.under(bpffs.root());

        assertThat(maps.frontends().keySet()).containsExactlyInAnyOrder(
                new FrontendKey(ip("10.96.0.10"), 80, 6), new FrontendKey(ip("192.168.1.10"), 30080, 6));
    }

    @Test
    void aRefusedKubeProxyFieldStopsTheAgentBeforeItTouchesAnything() throws Exception {
        Path manifest = webManifest();
        Path config = kubeProxyConfig("""
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                iptables:
                  masqueradeAll: true
                """);
        try (AgentRun refused = AgentRun.standalone(manifest, bpffs.root(), "--config", config.toString())) {
            assertThat(refused.awaitExit(Duration.ofSeconds(30))).isEqualTo(SluiceAgent.EXIT_BAD_CONFIGURATION);
        }
        assertThat(Files.exists(bpffs.root().resolve("maps"))).isFalse();
    }
}
