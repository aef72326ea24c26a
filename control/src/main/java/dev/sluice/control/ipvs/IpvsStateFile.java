package dev.sluice.control.ipvs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.control.model.FrontendKind;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The IPVS datapath's owned-state file, {@code <ipvs-run-dir>/services.json}: every virtual service
 * sluice owns, written whole to a temporary file and renamed over the old one, so a reader (the
 * next agent, {@code --cleanup}, the CLI) never sees half a write.
 *
 * <pre>{"version": 1, "services": [{"family": 4, "protocol": "TCP", "address": "10.96.0.10", "port": 80,
 *   "namespace": "default", "name": "web", "portName": "http", "service": "default/web:http",
 *   "kind": "ClusterIP", "scheduler": "rr", "affinityTimeoutSeconds": 0,
 *   "externalTrafficLocal": false, "internalTrafficLocal": false}]}</pre>
 *
 * {@code service} is written for people reading the file; the reader takes the parts instead.
 */
public final class IpvsStateFile implements IpvsStateStore {
    public static final String NAME = "services.json";
    /** Where the agent keeps it unless told otherwise, and where the CLI looks for it. */
    public static final String DEFAULT_RUN_DIRECTORY = "/run/sluice/ipvs";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;

    public IpvsStateFile(Path path) {
        this.path = path;
    }

    /** The file under an IPVS run directory. */
    public static IpvsStateFile in(Path runDirectory) {
        return new IpvsStateFile(runDirectory.resolve(NAME));
    }

    public Path path() {
        return path;
    }

    public boolean exists() {
        return Files.exists(path);
    }

    /**
     * @throws IllegalArgumentException naming the file, the entry and the field when the content is bad
     * @throws UncheckedIOException when the file cannot be read
     */
    @Override
    public List<OwnedService> read() {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("IPVS state file " + path + ": cannot read: " + e.getMessage(), e);
        }
        return parse(path.toString(), text);
    }

    static List<OwnedService> parse(String where, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("IPVS state file " + where + ": not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("IPVS state file " + where + ": expected a JSON object at the top");
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isInt() || version.intValue() != VERSION) {
            throw new IllegalArgumentException("IPVS state file " + where + ": field 'version' is " + version
                    + ", this sluice reads version " + VERSION);
        }
        JsonNode services = root.get("services");
        if (services == null || !services.isArray()) {
            throw new IllegalArgumentException("IPVS state file " + where + ": field 'services' must be an array");
        }
        List<OwnedService> owned = new ArrayList<>();
        for (int i = 0; i < services.size(); i++) {
            owned.add(entry(where + ": services[" + i + "]", services.get(i)));
        }
        return owned;
    }

    private static OwnedService entry(String where, JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("IPVS state file " + where + ": expected an object");
        }
        String addressText = text(where, node, "address");
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(addressText);
        } catch (IllegalArgumentException e) {
            throw bad(where, "address", "'" + addressText + "' is not an IP address");
        }
        int family = integer(where, node, "family");
        if (family != (address.getAddress().length == 4 ? 4 : 6)) {
            throw bad(where, "family", family + " does not match address " + addressText);
        }
        IpvsProtocol protocol;
        String protocolText = text(where, node, "protocol");
        try {
            protocol = IpvsProtocol.valueOf(protocolText);
        } catch (IllegalArgumentException e) {
            throw bad(where, "protocol", "'" + protocolText + "' is not one of TCP, UDP, SCTP");
        }
        int port = integer(where, node, "port");
        if (port < 0 || port > 0xffff) {
            throw bad(where, "port", port + " is outside 0..65535");
        }
        IpvsServiceKey key = new IpvsServiceKey(address, protocol, port);
        String kindText = text(where, node, "kind");
        FrontendKind kind = null;
        for (FrontendKind candidate : FrontendKind.values()) {
            if (OwnedService.kindName(candidate).equals(kindText)) {
                kind = candidate;
            }
        }
        if (kind == null) {
            throw bad(where + " (" + key + ")", "kind", "'" + kindText
                    + "' is not one of ClusterIP, NodePort, LoadBalancer, ExternalIP");
        }
        int affinity = integer(where, node, "affinityTimeoutSeconds");
        if (affinity < 0) {
            throw bad(where + " (" + key + ")", "affinityTimeoutSeconds", affinity + " is negative");
        }
        return new OwnedService(key, text(where, node, "namespace"), text(where, node, "name"),
                text(where, node, "portName"), kind, text(where, node, "scheduler"), affinity,
                bool(where, node, "externalTrafficLocal"), bool(where, node, "internalTrafficLocal"));
    }

    private static String text(String where, JsonNode node, String field) {
        return field(where, node, field, JsonNode::isTextual, "a string").textValue();
    }

    private static int integer(String where, JsonNode node, String field) {
        return field(where, node, field, JsonNode::isInt, "an integer").intValue();
    }

    private static boolean bool(String where, JsonNode node, String field) {
        return field(where, node, field, JsonNode::isBoolean, "true or false").booleanValue();
    }

    private static JsonNode field(String where, JsonNode node, String field, Predicate<JsonNode> isRight, String right) {
        JsonNode value = node.get(field);
        if (value == null || !isRight.test(value)) {
            throw bad(where, field, value == null ? "missing" : "must be " + right + ", is " + value);
        }
        return value;
    }

    private static IllegalArgumentException bad(String where, String field, String why) {
        return new IllegalArgumentException("IPVS state file " + where + ": field '" + field + "' " + why);
    }

    static String render(List<OwnedService> services) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        ArrayNode array = root.putArray("services");
        services.stream().sorted(OwnedService.ORDER).forEach(s -> {
            ObjectNode entry = array.addObject();
            entry.put("family", s.family());
            entry.put("protocol", s.protocol().name());
            entry.put("address", s.address().getHostAddress());
            entry.put("port", s.key().port());
            entry.put("namespace", s.namespace());
            entry.put("name", s.name());
            entry.put("portName", s.portName());
            entry.put("service", s.display());
            entry.put("kind", OwnedService.kindName(s.kind()));
            entry.put("scheduler", s.scheduler());
            entry.put("affinityTimeoutSeconds", s.affinityTimeoutSeconds());
            entry.put("externalTrafficLocal", s.externalTrafficLocal());
            entry.put("internalTrafficLocal", s.internalTrafficLocal());
        });
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("IPVS state file: cannot render JSON", e);
        }
    }

    /** Temp file beside the target, synced, then renamed over it: readers see the old or the new file. */
    @Override
    public void write(List<OwnedService> services) {
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            Files.createDirectories(path.getParent());
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(StandardCharsets.UTF_8.encode(render(services)));
                channel.force(true);
            }
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("rename within " + path.getParent() + " is not atomic there", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("IPVS state file " + path + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Removes the file (after --cleanup removed what it lists); true when there was one. */
    public boolean delete() {
        try {
            Files.deleteIfExists(path.resolveSibling(path.getFileName() + ".tmp"));
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("IPVS state file " + path + ": cannot remove: " + e.getMessage(), e);
        }
    }
}
