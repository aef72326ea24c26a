package dev.sluice.control.source;

import dev.sluice.control.model.EndpointsConverter;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services, EndpointSlices, legacy Endpoints and Nodes from YAML manifests: one file, or every
 * *.yaml / *.yml directly in a directory. Reloads on change. A file applies whole or not at all:
 * while any of its documents is unreadable it keeps its last wholly readable content (nothing,
 * if it never had one), and the snapshot's problems say why. A WatchService gives prompt
 * notice; a periodic rescan (cheap: only files whose size, mtime or inode changed are re-read)
 * catches what it misses, such as a replaced directory or a ConfigMap volume's symlink swap.
 */
public final class ManifestSource implements ClusterSource {

    private static final Logger LOG = LoggerFactory.getLogger(ManifestSource.class);
    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMillis(100);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

    private final Path path;
    private final String nodeName;
    private final Duration quietPeriod;
    private final Duration pollInterval;

    /** Only touched on the coalescer's thread. */
    private final Map<Path, FileState> files = new TreeMap<>();
    private boolean emitted;

    private Coalescer coalescer;
    private Thread watcher;
    private WatchService watchService;
    private volatile boolean closed;

    private record Fingerprint(long size, long modifiedNanos, Object fileKey) {}

    /** @param digest SHA-256 of the content that applies (the last wholly readable one), null for none */
    private record FileState(Fingerprint fingerprint, List<HasMetadata> objects, List<String> problems, String digest) {}

    /**
     * @param nodeName the Node object to pick for the snapshot; null for none
     */
    public ManifestSource(Path path, String nodeName, Duration quietPeriod, Duration pollInterval) {
        this.path = Objects.requireNonNull(path, "path");
        this.nodeName = nodeName;
        this.quietPeriod = Objects.requireNonNull(quietPeriod, "quietPeriod");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    }

    public ManifestSource(Path path, String nodeName) {
        this(path, nodeName, DEFAULT_QUIET_PERIOD, DEFAULT_POLL_INTERVAL);
    }

    @Override
    public synchronized void start(Consumer<ClusterSnapshot> onChange) {
        Objects.requireNonNull(onChange, "onChange");
        if (coalescer != null) {
            throw new IllegalStateException("already started");
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("no such manifest file or directory: " + path);
        }
        coalescer = new Coalescer("manifest-source", quietPeriod, quietPeriod.multipliedBy(10).plusSeconds(1), () -> {
            if (rescan() || !emitted) {
                emitted = true;
                onChange.accept(snapshot());
            }
        });
        coalescer.signal();
        watchService = openWatchService();
        watcher = Thread.ofPlatform().name("manifest-watcher").daemon().start(this::watch);
    }

    private WatchService openWatchService() {
        Path directory = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        try {
            WatchService service = directory.getFileSystem().newWatchService();
            directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.OVERFLOW);
            return service;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("Cannot watch {}; relying on polling every {}", directory, pollInterval, e);
            return null;
        }
    }

    private void watch() {
        while (!closed) {
            try {
                if (watchService == null) {
                    Thread.sleep(pollInterval);
                } else {
                    WatchKey key = watchService.poll(pollInterval.toNanos(), TimeUnit.NANOSECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                    }
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            // Event or timeout alike: the rescan itself decides whether anything changed.
            coalescer.signal();
        }
    }

    /** Brings files up to date with the disk; true when anything changed. */
    private boolean rescan() {
        List<Path> current = list();
        boolean changed = files.keySet().retainAll(current);
        for (Path file : current) {
            Fingerprint fingerprint;
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                fingerprint = new Fingerprint(attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), attributes.fileKey());
            } catch (IOException e) {
                continue; // vanished between listing and reading: the next scan sorts it out
            }
            FileState previous = files.get(file);
            if (previous != null && previous.fingerprint.equals(fingerprint)) {
                continue;
            }
            files.put(file, load(file, fingerprint, previous));
            changed = true;
        }
        return changed;
    }

    private FileState load(Path file, Fingerprint fingerprint, FileState previous) {
        FileState kept = previous == null ? new FileState(fingerprint, List.of(), List.of(), null) : previous;
        String text;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return unapplied(file, fingerprint, kept, List.of(), "not UTF-8 text");
        } catch (IOException e) {
            return unapplied(file, fingerprint, kept, List.of(), "unreadable: " + e);
        }
        ManifestParser.Result result = ManifestParser.parse(file.toString(), text);
        result.problems().forEach(problem -> LOG.warn("Manifest problem: {}", problem));
        if (!result.complete()) {
            // Applying the readable part would delete whatever the unreadable documents define,
            // and with a truncated save everything after the cut.
            return unapplied(file, fingerprint, kept, result.problems(),
                    result.unreadable() + " of " + result.documents() + " documents unreadable");
        }
        LOG.info("Loaded {}: {} objects", file, result.objects().size());
        return new FileState(fingerprint, result.objects(), result.problems(), revisionOf(bytes));
    }

    /** A version of the file that is not applied: the file keeps contributing what it did before. */
    private static FileState unapplied(Path file, Fingerprint fingerprint, FileState kept, List<String> details, String reason) {
        String consequence = kept.objects.isEmpty() ? "nothing from it applies"
                : "keeping its previous content (" + kept.objects.size() + " objects)";
        String problem = file + ": " + reason + "; " + consequence + " until it reads whole";
        LOG.warn("Manifest problem: {}", problem);
        List<String> problems = new ArrayList<>(details);
        problems.add(problem);
        return new FileState(fingerprint, kept.objects, problems, kept.digest);
    }

    /**
     * The snapshot's revision: with a single file, the SHA-256 of its applied content (what
     * {@code sha256sum} prints for it once it is applied); with a directory, the SHA-256 of one
     * "name digest" line per file. Null while nothing applies.
     */
    private String revision() {
        if (!Files.isDirectory(path)) {
            FileState only = files.get(path);
            return only == null ? null : only.digest;
        }
        StringBuilder lines = new StringBuilder();
        files.forEach((file, state) -> lines.append(file.getFileName()).append(' ').append(state.digest).append('\n'));
        return revisionOf(lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The revision a single manifest file with this content has once it applies: its SHA-256, in hex. */
    public static String revisionOf(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private List<Path> list() {
        if (!Files.isDirectory(path)) {
            return Files.isRegularFile(path) ? List.of(path) : List.of();
        }
        try (Stream<Path> entries = Files.list(path)) {
            return entries
                    .filter(p -> {
                        String name = p.getFileName().toString();
                        // Hidden and lock files: editors' swap files, ConfigMap volumes' ..data dirs.
                        return !name.startsWith(".") && !name.startsWith("#") && (name.endsWith(".yaml") || name.endsWith(".yml"));
                    })
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            LOG.warn("Cannot list {}; keeping what was loaded", path, e);
            return List.copyOf(files.keySet());
        }
    }

    private ClusterSnapshot snapshot() {
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        Node node = null;
        List<String> problems = new ArrayList<>();
        Map<String, Path> seen = new HashMap<>();
        for (Map.Entry<Path, FileState> entry : files.entrySet()) {
            problems.addAll(entry.getValue().problems);
            for (HasMetadata object : entry.getValue().objects) {
                String id = object.getKind() + " " + (object.getMetadata().getNamespace() == null ? "" : object.getMetadata().getNamespace() + "/") + object.getMetadata().getName();
                Path first = seen.putIfAbsent(id, entry.getKey());
                if (first != null) {
                    problems.add(entry.getKey() + ": " + id + " is also defined in " + first + "; this copy ignored");
                    continue;
                }
                switch (object) {
                    case Service s -> services.add(s);
                    case EndpointSlice s -> slices.add(s);
                    case Endpoints e -> slices.addAll(EndpointsConverter.toSlices(e));
                    case Node n -> {
                        if (n.getMetadata().getName().equals(nodeName)) {
                            node = n;
                        }
                    }
                    default -> { }
                }
            }
        }
        return new ClusterSnapshot(services, slices, node, problems, revision());
    }

    @Override
    public void close() {
        closed = true;
        Thread thread;
        synchronized (this) {
            thread = watcher;
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException e) {
                LOG.debug("Closing the watch service failed", e);
            }
        }
        if (coalescer != null) {
            coalescer.close();
        }
    }
}
