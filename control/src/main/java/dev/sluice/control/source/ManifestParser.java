package dev.sluice.control.source;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;

/**
 * Multi-document YAML to the objects sluice uses. Documents are split before parsing, so a
 * malformed one is reported on its own with its number and line: a YAML stream parser would give
 * up on everything after it.
 *
 * <p>A document is readable when it parses into a Kubernetes object with a kind, an apiVersion
 * and a metadata.name. Anything else (bad YAML, a field of the wrong type, a scalar, an object cut
 * off before its name) is unreadable: most likely a half-written or mistyped save, which
 * ManifestSource must not apply in part. Readable objects of kinds sluice does not use are
 * reported and skipped: a manifest directory may well hold Deployments or custom resources.
 */
final class ManifestParser {

    /** fabric8's serialization, knowing every built-in kind; thread-safe once built. */
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /**
     * @param documents how many non-empty documents the text held
     * @param objects the usable objects, in document order
     * @param problems one line per unreadable or skipped document (or List item), naming file,
     *     document number and line
     * @param unreadable how many documents could not be read (in whole or, for a List, in part)
     */
    record Result(int documents, List<HasMetadata> objects, List<String> problems, int unreadable) {

        /** Every document was read; only then may the objects replace what the file held before. */
        boolean complete() {
            return unreadable == 0;
        }
    }

    private ManifestParser() {}

    static Result parse(String fileName, String text) {
        Collector collector = new Collector();
        int documents = 0;
        int unreadable = 0;
        for (Document document : split(text)) {
            if (document.blank()) {
                continue;
            }
            documents++;
            String where = fileName + ": document " + documents + " (line " + document.firstLine + ")";
            int before = collector.unreadableParts;
            try {
                collector.collect(SERIALIZATION.unmarshal(document.text), where);
            } catch (RuntimeException e) {
                collector.unreadable(where + ": " + reason(e));
            }
            if (collector.unreadableParts > before) {
                unreadable++;
            }
        }
        return new Result(documents, List.copyOf(collector.objects), List.copyOf(collector.problems), unreadable);
    }

    private static final class Collector {
        final List<HasMetadata> objects = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        int unreadableParts;

        void unreadable(String problem) {
            problems.add(problem);
            unreadableParts++;
        }

        void collect(Object parsed, String where) {
            switch (parsed) {
                case null -> unreadable(where + ": empty document");
                case KubernetesList list -> {
                    for (HasMetadata item : list.getItems()) {
                        collect(item, where);
                    }
                }
                case HasMetadata object when !named(object) ->
                        unreadable(where + ": " + (object.getKind() == null ? "object" : object.getKind()) + " without metadata.name");
                case Service s -> objects.add(defaultNamespace(s));
                case EndpointSlice s -> objects.add(defaultNamespace(s));
                case Endpoints e -> objects.add(defaultNamespace(e));
                case Node n -> objects.add(n);
                case GenericKubernetesResource r ->
                        problems.add(where + ": unsupported kind " + r.getKind() + " (apiVersion " + r.getApiVersion() + "); ignored");
                case HasMetadata other ->
                        problems.add(where + ": " + other.getKind() + " (apiVersion " + other.getApiVersion() + ") is not used by sluice; ignored");
                default -> unreadable(where + ": not a Kubernetes object (apiVersion, kind and metadata expected)");
            }
        }
    }

    private static boolean named(HasMetadata object) {
        return object.getMetadata() != null && object.getMetadata().getName() != null && !object.getMetadata().getName().isEmpty();
    }

    private static HasMetadata defaultNamespace(HasMetadata object) {
        if (object.getMetadata().getNamespace() == null) {
            object.getMetadata().setNamespace("default"); // what kubectl apply would do
        }
        return object;
    }

    /** The innermost message, first line only: Jackson's full messages quote whole documents. */
    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        message = message.lines().findFirst().orElse(message);
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }

    private record Document(String text, int firstLine) {
        boolean blank() {
            return text.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"));
        }
    }

    /** Splits on "---" document markers and drops "..." end markers. */
    private static List<Document> split(String text) {
        List<Document> documents = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int firstLine = 1;
        int lineNumber = 0;
        for (String line : text.split("\r?\n", -1)) {
            lineNumber++;
            if (line.startsWith("---") && (line.length() == 3 || Character.isWhitespace(line.charAt(3)))) {
                documents.add(new Document(current.toString(), firstLine));
                current.setLength(0);
                firstLine = line.substring(3).isBlank() ? lineNumber + 1 : lineNumber;
                current.append(line.substring(3)).append('\n');
            } else if (line.startsWith("...") && line.substring(3).isBlank()) {
                continue;
            } else {
                current.append(line).append('\n');
            }
        }
        documents.add(new Document(current.toString(), firstLine));
        return documents;
    }
}
