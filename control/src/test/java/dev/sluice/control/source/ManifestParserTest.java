package dev.sluice.control.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestParserTest {

    @Test
    void splitsDocumentsAndNumbersThemByTheirFirstLine() {
        String text = """
                # comment only
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: a}
                --- # trailing comment
                apiVersion: v1
                kind: Service
                metadata: {name: b, namespace: x}
                ---
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                ---
                apiVersion: v1
                kind: Service
                metadata: {}
                ---
                not: [valid
                """;
        ManifestParser.Result result = ManifestParser.parse("f.yaml", text);

        assertThat(result.documents()).isEqualTo(6);
        assertThat(result.objects()).extracting(o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
                .containsExactly("default/a", "x/b");
        assertThat(result.objects()).allMatch(o -> o instanceof Service);
        assertThat(result.problems()).hasSize(4);
        assertThat(result.problems().get(0)).startsWith("f.yaml: document 3 (line 12): Deployment");
        assertThat(result.problems().get(1)).startsWith("f.yaml: document 4 (line 16): unsupported kind Widget");
        assertThat(result.problems().get(2)).startsWith("f.yaml: document 5 (line 20): Service without metadata.name");
        assertThat(result.problems().get(3)).startsWith("f.yaml: document 6 (line 24): ");
        assertThat(result.unreadable()).as("the nameless Service and the bad YAML").isEqualTo(2);
        assertThat(result.complete()).isFalse();
    }

    @Test
    void aListIsExpandedAndGarbageIsUnreadable() {
        ManifestParser.Result list = ManifestParser.parse("l.yaml", """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: a}
                - apiVersion: v1
                  kind: Node
                  metadata: {name: n}
                """);
        assertThat(list.objects()).hasSize(2);
        assertThat(list.objects().get(1).getMetadata().getNamespace()).isNull();

        assertThat(ManifestParser.parse("g.yaml", "{{{").complete()).isFalse();
        assertThat(ManifestParser.parse("e.yaml", "# nothing\n").complete()).isTrue();
    }

    @Test
    void kindsSluiceDoesNotUseAreSkippedButKeepTheFileComplete() {
        ManifestParser.Result result = ManifestParser.parse("k.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: a}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                """);
        assertThat(result.objects()).hasSize(1);
        assertThat(result.problems()).hasSize(2).allSatisfy(p -> assertThat(p).endsWith("ignored"));
        assertThat(result.complete()).isTrue();
    }

    /** Where a save can be cut off: each leaves the document unreadable, never a smaller valid file. */
    @Test
    void documentsCutShortAreUnreadable() {
        String service = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n";
        for (String cut : List.of("apiVersion: v1\nki", "apiVersion: v1\nkind: Serv", "apiVersion: v1\n",
                "apiVersion: v1\nkind: Service\nmetadata:\n  na", "apiVersion: v1\nkind: Service\nmetadata:\n",
                "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n- {apiVersion: v1, kin",
                "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n- apiVersion: v1\n  kind: Service\n",
                "garbage")) {
            ManifestParser.Result result = ManifestParser.parse("c.yaml", service + cut);
            assertThat(result.complete()).as(cut).isFalse();
            assertThat(result.problems()).as(cut).singleElement().asString().startsWith("c.yaml: document 2 (line 5): ");
        }
    }
}
