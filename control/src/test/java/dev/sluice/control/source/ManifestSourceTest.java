package dev.sluice.control.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.control.model.DesiredState;
import dev.sluice.control.model.IpFamily;
import dev.sluice.control.model.NodeContexts;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.control.model.ServicePort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestSourceTest {

    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              type: NodePort
              clusterIP: 10.96.0.10
              ports:
              - name: http
                port: 80
                nodePort: 30080
            """;

    private static final String SLICE = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: web-1
              labels:
                kubernetes.io/service-name: web
            addressType: IPv4
            ports:
            - name: http
              port: 8080
            endpoints:
            - addresses: ["10.0.0.1"]
              nodeName: node-a
            """;

    private static final String LEGACY = """
            apiVersion: v1
            kind: Endpoints
            metadata:
              name: api
              namespace: other
            subsets:
            - addresses:
              - ip: 10.0.1.1
                nodeName: node-b
              notReadyAddresses:
              - ip: 10.0.1.2
              ports:
              - name: grpc
                port: 9090
            """;

    private static final String API_SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: api
              namespace: other
            spec:
              clusterIP: 10.96.0.20
              ports:
              - name: grpc
                port: 9000
            """;

    private static final String NODES = """
            apiVersion: v1
            kind: Node
            metadata:
              name: node-b
            ---
            apiVersion: v1
            kind: Node
            metadata:
              name: node-a
            status:
              addresses:
              - type: InternalIP
                address: 192.168.0.10
            """;

    @TempDir
    Path dir;
    private ManifestSource source;

    @AfterEach
    void closeSource() {
        if (source != null) {
            source.close();
        }
    }

    private SnapshotRecorder start(Path path) {
        SnapshotRecorder recorder = new SnapshotRecorder();
        source = new ManifestSource(path, "node-a", Duration.ofMillis(50), Duration.ofMillis(200));
        source.start(recorder);
        return recorder;
    }

    private static DesiredState compute(ClusterSnapshot snapshot) {
        return ProxySemantics.compute(snapshot.services(), snapshot.slices(), NodeContexts.of("node-a", snapshot.node(), "sluice"));
    }

    private static Optional<ServicePort> web(ClusterSnapshot snapshot) {
        return compute(snapshot).port("default", "web", "http", IpFamily.IPV4);
    }

    /** Replaces a file the way most editors save: write elsewhere, then rename over it. */
    private static void replace(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void loadsEveryYamlFileOfADirectory() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), SERVICE + "---\n" + SLICE);
        Files.writeString(dir.resolve("api.yml"), "# legacy objects\n---\n" + API_SERVICE + "...\n---\n" + LEGACY);
        Files.writeString(dir.resolve("nodes.yaml"), NODES);
        Files.writeString(dir.resolve("README.txt"), "not yaml: [");
        Files.writeString(dir.resolve(".web.yaml.swp"), "garbage: [");

        ClusterSnapshot first = start(dir).await("everything", s -> s.services().size() == 2);
        assertThat(first.problems()).isEmpty();
        assertThat(first.node().getMetadata().getName()).isEqualTo("node-a");
        assertThat(first.services()).extracting(s -> s.getMetadata().getNamespace()).containsExactlyInAnyOrder("default", "other");

        DesiredState state = compute(first);
        assertThat(state.errors()).isEmpty();
        ServicePort web = state.port("default", "web", "http", IpFamily.IPV4).orElseThrow();
        assertThat(web.frontends()).hasSize(2); // ClusterIP + NodePort on the node's InternalIP
        assertThat(web.clusterEndpoints()).singleElement().satisfies(e -> assertThat(e.local()).isTrue());
        ServicePort api = state.port("other", "api", "grpc", IpFamily.IPV4).orElseThrow();
        assertThat(api.endpoints()).hasSize(2);
        assertThat(api.clusterEndpoints()).singleElement().satisfies(e -> assertThat(e.port()).isEqualTo(9090));
    }

    @Test
    void reloadsEditedReplacedAddedAndDeletedFiles() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, SERVICE + "---\n" + SLICE);
        SnapshotRecorder recorder = start(dir);
        recorder.await("web with one endpoint", s -> web(s).map(p -> p.endpoints().size() == 1).orElse(false));

        Files.writeString(web, SERVICE + "---\n" + SLICE + "- addresses: [\"10.0.0.2\"]\n");
        recorder.await("an endpoint added in place", s -> web(s).map(p -> p.endpoints().size() == 2).orElse(false));

        replace(web, SERVICE + "---\n" + SLICE.replace("10.0.0.1", "10.0.0.3"));
        ClusterSnapshot replaced = recorder.await("the replaced file", s -> web(s).map(p -> p.endpoints().size() == 1
                && p.endpoints().getFirst().address().getHostAddress().equals("10.0.0.3")).orElse(false));
        assertThat(replaced.problems()).isEmpty();

        Files.writeString(dir.resolve("api.yaml"), API_SERVICE);
        recorder.await("the added file", s -> s.services().size() == 2);

        Files.delete(web);
        ClusterSnapshot deleted = recorder.await("the deleted file", s -> s.services().size() == 1);
        assertThat(deleted.slices()).isEmpty();
        assertThat(recorder.overlapped).isFalse();
    }

    @Test
    void aBadDocumentIsReportedAndTheRestStillLoads() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), SERVICE + "---\nkind: Service\napiVersion: v1\nmetadata: {name: broken}\nspec:\n  ports: [{port: eighty}]\n---\n" + SLICE);
        ClusterSnapshot snapshot = start(dir).await("web", s -> web(s).isPresent());
        assertThat(snapshot.services()).hasSize(1);
        assertThat(snapshot.slices()).hasSize(1);
        assertThat(snapshot.problems()).singleElement().satisfies(p -> {
            assertThat(p).contains("web.yaml: document 2 (line 13)");
            assertThat(p).contains("eighty");
        });
    }

    @Test
    void aFileThatFailsEntirelyKeepsItsPreviousContent() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, SERVICE + "---\n" + SLICE);
        Files.writeString(dir.resolve("api.yaml"), API_SERVICE);
        SnapshotRecorder recorder = start(dir);
        recorder.await("both services", s -> s.services().size() == 2);

        replace(web, "apiVersion: v1\nkind: Service\nmetadata: {name: web\nspec: [\n");
        ClusterSnapshot broken = recorder.await("a problem", s -> !s.problems().isEmpty());
        assertThat(broken.services()).hasSize(2);
        assertThat(web(broken)).isPresent();
        assertThat(broken.problems()).anySatisfy(p -> assertThat(p).contains("web.yaml").contains("keeping its previous content"));

        replace(web, SERVICE);
        ClusterSnapshot fixed = recorder.await("the fix", s -> s.problems().isEmpty());
        assertThat(fixed.slices()).isEmpty();
        assertThat(fixed.services()).hasSize(2);
    }

    @Test
    void watchesASingleFile() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, SERVICE);
        Files.writeString(dir.resolve("other.yaml"), API_SERVICE); // not the watched file
        SnapshotRecorder recorder = start(web);
        ClusterSnapshot first = recorder.await("web", s -> s.services().size() == 1);
        assertThat(first.node()).isNull();

        replace(web, SERVICE + "---\n" + SLICE);
        recorder.await("the slice", s -> s.slices().size() == 1);
    }

    @Test
    void duplicatesAcrossFilesAreReported() throws IOException {
        Files.writeString(dir.resolve("a.yaml"), SERVICE);
        Files.writeString(dir.resolve("b.yaml"), SERVICE.replace("10.96.0.10", "10.96.0.99"));
        ClusterSnapshot snapshot = start(dir).await("web", s -> s.services().size() == 1);
        assertThat(snapshot.services().getFirst().getSpec().getClusterIP()).isEqualTo("10.96.0.10");
        assertThat(snapshot.problems()).singleElement().satisfies(p -> assertThat(p).contains("b.yaml").contains("Service default/web"));
    }

    @Test
    void missingPathIsRejectedAtStart() {
        source = new ManifestSource(dir.resolve("missing"), null);
        assertThatThrownBy(() -> source.start(s -> { })).isInstanceOf(IllegalArgumentException.class);
    }
}
