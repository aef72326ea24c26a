package dev.sluice.ffm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A cgroup v2 directory a test creates under the unified hierarchy and removes again, so socket
 * hooks never touch the root cgroup or anyone else's.
 */
public final class TestCgroup implements AutoCloseable {
    public static final Path UNIFIED = Path.of(System.getenv().getOrDefault("SLUICE_CGROUP2_ROOT",
            Files.exists(Path.of("/sys/fs/cgroup/unified/cgroup.procs")) ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup"));

    private final Path path;

    private TestCgroup(Path path) {
        this.path = path;
    }

    public static TestCgroup create() {
        Path path = UNIFIED.resolve("sluice-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        try {
            Files.createDirectory(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cgroup " + path, e);
        }
        return new TestCgroup(path);
    }

    public Path path() {
        return path;
    }

    public Path procs() {
        return path.resolve("cgroup.procs");
    }

    @Override
    public void close() {
        try {
            // rmdir fails while members live; tests wait for their processes first.
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove cgroup " + path, e);
        }
    }
}
