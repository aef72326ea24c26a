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
    void aPartlyReadableSaveKeepsTheWholePreviousFile() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, SERVICE + "---\n" + SLICE + "---\n" + API_SERVICE + "---\n" + LEGACY);
        Files.writeString(dir.resolve("nodes.yaml"), NODES);
        SnapshotRecorder recorder = start(dir);
        ClusterSnapshot good = recorder.await("the good version", s -> s.services().size() == 2 && s.slices().size() == 2 && s.node() != null);
        assertThat(good.problems()).isEmpty();

        // Two documents read, then the save breaks off inside the third: api and its endpoints
        // must not go, nor may web's new clusterIP apply without them.
        replace(web, SERVICE.replace("10.96.0.10", "10.96.0.99") + "---\n" + SLICE + "---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namesp");
        ClusterSnapshot truncated = recorder.await("the truncation reported", s -> !s.problems().isEmpty());
        assertStillTheGoodVersion(truncated, good);
        assertThat(truncated.problems()).hasSize(2);
        assertThat(truncated.problems().get(0)).startsWith(web + ": document 3 (line 27): ");
        assertThat(truncated.problems().get(1)).isEqualTo(web + ": 1 of 3 documents unreadable; keeping its previous content (4 objects) until it reads whole");

        // A malformed document in the middle, the rest fine: still all or nothing.
        replace(web, SERVICE + "---\n" + SLICE.replace("port: 8080", "port: eighty") + "---\n" + API_SERVICE);
        ClusterSnapshot middle = recorder.await("the bad middle document reported",
                s -> s.problems().stream().anyMatch(p -> p.contains("eighty")));
        assertStillTheGoodVersion(middle, good);
        assertThat(middle.problems().getFirst()).startsWith(web + ": document 2 (line 13): ").contains("eighty");
        assertThat(middle.problems().getLast()).contains("1 of 3 documents unreadable; keeping its previous content");

        // Fixed: the new content applies as a whole, legacy Endpoints gone, and the problem with them.
        replace(web, SERVICE.replace("10.96.0.10", "10.96.0.99") + "---\n" + SLICE + "---\n" + API_SERVICE);
        ClusterSnapshot fixed = recorder.await("the fixed file", s -> s.problems().isEmpty());
        assertThat(fixed.services()).extracting(s -> s.getSpec().getClusterIP()).containsExactlyInAnyOrder("10.96.0.99", "10.96.0.20");
        assertThat(fixed.slices()).extracting(s -> s.getMetadata().getName()).containsExactly("web-1");
        assertThat(fixed.node().getMetadata().getName()).isEqualTo("node-a");
        assertThat(recorder.overlapped).isFalse();
    }

    private static void assertStillTheGoodVersion(ClusterSnapshot snapshot, ClusterSnapshot good) {
        assertThat(snapshot.services()).containsExactlyElementsOf(good.services());
        assertThat(snapshot.slices()).containsExactlyInAnyOrderElementsOf(good.slices());
        assertThat(snapshot.node()).isSameAs(good.node());
        assertThat(snapshot.services()).extracting(s -> s.getSpec().getClusterIP()).containsExactlyInAnyOrder("10.96.0.10", "10.96.0.20");
        assertThat(compute(snapshot).port("other", "api", "grpc", IpFamily.IPV4)).hasValueSatisfying(p -> assertThat(p.endpoints()).hasSize(2));
    }

    @Test
    void aFileNeverReadWholeContributesNothingUntilItIs() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(dir.resolve("api.yaml"), API_SERVICE);
        Files.writeString(web, SERVICE + "---\nkind: Service\napiVersion: v1\nmetadata: {name: broken}\nspec:\n  ports: [{port: eighty}]\n---\n" + SLICE);
        SnapshotRecorder recorder = start(dir);
        ClusterSnapshot first = recorder.await("api alone", s -> s.services().size() == 1);
        assertThat(first.services().getFirst().getMetadata().getName()).isEqualTo("api");
        assertThat(first.slices()).isEmpty();
        assertThat(first.problems()).hasSize(2);
        assertThat(first.problems().get(0)).startsWith(web + ": document 2 (line 13): ").contains("eighty");
        assertThat(first.problems().get(1)).isEqualTo(web + ": 1 of 3 documents unreadable; nothing from it applies until it reads whole");

        replace(web, SERVICE + "---\n" + SLICE);
        ClusterSnapshot fixed = recorder.await("web", s -> web(s).isPresent());
        assertThat(fixed.problems()).isEmpty();
        assertThat(fixed.services()).hasSize(2);
        assertThat(fixed.slices()).hasSize(1);
    }

    @Test
    void aDocumentOfAKindSluiceDoesNotUseIsReportedAndTheRestLoads() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), SERVICE + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\n" + SLICE);
        ClusterSnapshot snapshot = start(dir).await("web", s -> web(s).isPresent());
        assertThat(snapshot.services()).hasSize(1);
        assertThat(snapshot.slices()).hasSize(1);
        assertThat(snapshot.problems()).singleElement().asString()
                .startsWith(dir.resolve("web.yaml") + ": document 2 (line 13): Deployment (apiVersion apps/v1) is not used by sluice; ignored");
    }

    @Test
    void aFileThatFailsEntirelyKeepsItsPreviousContent() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, SERVICE + "---\n" + SLICE);
        Files.writeString(dir.resolve("api.yaml"), API_SERVICE);
        SnapshotRecorder recorder = start(dir);
        String whole = recorder.await("both services", s -> s.services().size() == 2).revision();

        replace(web, "apiVersion: v1\nkind: Service\nmetadata: {name: web\nspec: [\n");
        ClusterSnapshot broken = recorder.await("a problem", s -> !s.problems().isEmpty());
        assertThat(broken.revision()).as("the revision of what still applies").isEqualTo(whole);
        assertThat(broken.services()).hasSize(2);
        assertThat(web(broken)).isPresent();
        assertThat(broken.problems()).anySatisfy(p -> assertThat(p).contains("web.yaml").contains("keeping its previous content"));

        replace(web, SERVICE);
        ClusterSnapshot fixed = recorder.await("the fix", s -> s.problems().isEmpty());
        assertThat(fixed.revision()).isNotNull().isNotEqualTo(whole);
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
        assertThat(first.revision()).as("the file's SHA-256").isEqualTo(sha256(SERVICE));

        replace(web, SERVICE + "---\n" + SLICE);
        ClusterSnapshot second = recorder.await("the slice", s -> s.slices().size() == 1);
        assertThat(second.revision()).isEqualTo(sha256(SERVICE + "---\n" + SLICE));
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
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
