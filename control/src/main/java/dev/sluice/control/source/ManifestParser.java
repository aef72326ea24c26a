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
 * malformed one costs only itself: a YAML stream parser would give up on everything after it.
 */
final class ManifestParser {

    /** fabric8's serialization, knowing every built-in kind; thread-safe once built. */
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /**
     * @param documents how many non-empty documents the text held
     * @param objects the usable objects, in document order
     * @param problems one line per unusable document, naming file, document number and line
     */
    record Result(int documents, List<HasMetadata> objects, List<String> problems) {

        /** Every document failed: most likely a half-written file, not an intended change. */
        boolean failedEntirely() {
            return documents > 0 && objects.isEmpty() && problems.size() >= documents;
        }
    }

    private ManifestParser() {}

    static Result parse(String fileName, String text) {
        List<HasMetadata> objects = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int documents = 0;
        for (Document document : split(text)) {
            if (document.blank()) {
                continue;
            }
            documents++;
            String where = fileName + ": document " + documents + " (line " + document.firstLine + ")";
            try {
                Object parsed = SERIALIZATION.unmarshal(document.text);
                collect(parsed, where, objects, problems);
            } catch (RuntimeException e) {
                problems.add(where + ": " + reason(e));
            }
        }
        return new Result(documents, List.copyOf(objects), List.copyOf(problems));
    }

    private static void collect(Object parsed, String where, List<HasMetadata> objects, List<String> problems) {
        switch (parsed) {
            case null -> problems.add(where + ": empty document");
            case Service s -> named(s, where, objects, problems);
            case EndpointSlice s -> named(s, where, objects, problems);
            case Endpoints e -> named(e, where, objects, problems);
            case Node n -> named(n, where, objects, problems);
            case KubernetesList list -> {
                for (HasMetadata item : list.getItems()) {
                    collect(item, where, objects, problems);
                }
            }
            case GenericKubernetesResource r -> problems.add(where + ": unsupported kind " + r.getKind() + " (apiVersion " + r.getApiVersion() + "); ignored");
            case HasMetadata other -> problems.add(where + ": " + other.getKind() + " (apiVersion " + other.getApiVersion() + ") is not used by sluice; ignored");
            default -> problems.add(where + ": not a Kubernetes object");
        }
    }

    private static void named(HasMetadata object, String where, List<HasMetadata> objects, List<String> problems) {
        if (object.getMetadata() == null || object.getMetadata().getName() == null || object.getMetadata().getName().isEmpty()) {
            problems.add(where + ": " + object.getKind() + " without metadata.name; ignored");
            return;
        }
        if (!(object instanceof Node) && object.getMetadata().getNamespace() == null) {
            object.getMetadata().setNamespace("default"); // what kubectl apply would do
        }
        objects.add(object);
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
