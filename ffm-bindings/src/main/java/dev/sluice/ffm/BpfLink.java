package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * An attachment of a program to a hook. Closing releases this process's reference: an unpinned
 * link then detaches, a pinned one stays until {@link #detach()} or its pin is removed.
 */
public interface BpfLink extends AutoCloseable {
    /** What is attached where, for logs and errors. */
    String description();

    /** Pins the link on a bpffs so the attachment outlives this process. */
    void pin(Path path);

    /** Atomically swaps the attached program for another of the same type. */
    void update(BpfProgram program);

    /** Detaches now, whoever else holds or pins the link. */
    void detach();

    @Override
    void close();

    /** Opens a link pinned earlier, for example by a previous run of the agent. */
    static BpfLink openPinned(Path path) {
        LibbpfLog.install();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = SluiceNative.bpf_obj_get(arena.allocateFrom(path.toString()));
        }
        if (fd < 0) {
            throw new BpfException("cannot open pinned link " + path, fd);
        }
        return new FdLink(fd, "pinned link " + path);
    }
}
