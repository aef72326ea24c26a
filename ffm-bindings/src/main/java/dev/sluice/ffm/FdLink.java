package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** A kernel bpf_link (XDP, tcx, cgroup): the attachment lives as long as its fd or its pin. */
final class FdLink implements BpfLink {
    private final int fd;
    private final String description;
    private volatile boolean closed;

    FdLink(int fd, String description) {
        this.fd = fd;
        this.description = description;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void pin(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = SluiceNative.bpf_obj_pin(fd(), arena.allocateFrom(path.toString()));
            if (rc < 0) {
                throw new BpfException("cannot pin " + description + " at " + path, rc);
            }
        }
    }

    @Override
    public void update(BpfProgram program) {
        int rc = SluiceNative.bpf_link_update(fd(), program.fd(), MemorySegment.NULL);
        if (rc < 0) {
            throw new BpfException("cannot replace the program of " + description + " with '"
                    + program.name() + "'", rc);
        }
    }

    @Override
    public void detach() {
        int rc = SluiceNative.bpf_link_detach(fd());
        if (rc < 0) {
            throw new BpfException("cannot detach " + description, rc);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            SluiceNative.close(fd);
        }
    }

    private int fd() {
        if (closed) {
            throw new IllegalStateException(description + " is closed");
        }
        return fd;
    }

    @Override
    public String toString() {
        return description;
    }
}
