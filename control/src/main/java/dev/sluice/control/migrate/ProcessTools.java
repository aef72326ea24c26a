package dev.sluice.control.migrate;

import dev.sluice.ffm.sys.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** {@link NodeTools} as child processes, optionally behind a prefix such as {@code ip netns exec NS}. */
final class ProcessTools implements NodeTools {
    private final List<String> prefix;

    ProcessTools(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
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
