package dev.sluice.control.migrate;

import dev.sluice.ffm.sys.Command;
import dev.sluice.ffm.sys.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@link NodeTools} as child processes, behind {@code ip netns exec NS} when given a namespace, and
 * netlink sockets opened in the same namespace.
 */
final class ProcessTools implements NodeTools {
    private final String namespace;
    private final List<String> prefix;

    /** {@code namespace}: a named network namespace, or null for the caller's own. */
    ProcessTools(String namespace) {
        this.namespace = namespace;
        this.prefix = namespace == null ? List.of() : List.of("ip", "netns", "exec", namespace);
    }

    @Override
    public Command.Result run(List<String> command) {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        return Command.execute(full.toArray(String[]::new));
    }

    @Override
    public Command.Result runWithInputFile(String input, List<String> command) {
        Path file;
        try {
            // Command closes stdin, so iptables-restore and nft read their input from a file.
            file = Files.createTempFile("sluice-kp-", ".rules",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, input);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the input of " + command.getFirst(), e);
        }
        try {
            List<String> full = new ArrayList<>(command);
            full.add(file.toString());
            return run(full);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A leftover temp file is harmless; the cleanup's own result matters more.
            }
        }
    }

    @Override
    public <T> Optional<T> openNetlink(Callable<T> open) {
        if (namespace != null) {
            return Optional.of(NetworkNamespace.existing(namespace).call(open));
        }
        try {
            return Optional.of(open.call());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("opening netlink sockets failed", e);
        }
    }

    @Override
    public boolean installed(String binary) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(":")) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, binary))) {
                return true;
            }
        }
        return false;
    }
}
