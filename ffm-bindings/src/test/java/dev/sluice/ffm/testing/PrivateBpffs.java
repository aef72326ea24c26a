package dev.sluice.ffm.testing;

import dev.sluice.ffm.sys.Bpffs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A bpffs instance of a test's own in a temporary directory; unmounting drops every pin in it. */
public final class PrivateBpffs implements AutoCloseable {
    private final Path root;

    private PrivateBpffs(Path root) {
        this.root = root;
    }

    public static PrivateBpffs mount() {
        try {
            Path root = Files.createTempDirectory("sluice-bpffs-");
            Bpffs.mount(root);
            return new PrivateBpffs(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public void close() {
        Bpffs.unmount(root);
        try {
            Files.deleteIfExists(root);
        } catch (IOException ignored) {
            // A busy mount point is left for the OS's temp cleanup; the pins are gone already.
        }
    }
}
