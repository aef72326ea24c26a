package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;
import dev.sluice.ffm.jextract.bpf_tc_hook;
import dev.sluice.ffm.jextract.bpf_tc_opts;
import dev.sluice.ffm.sys.Fds;
import dev.sluice.ffm.sys.NetworkNamespace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A direct-action filter on a clsact qdisc, for kernels before tcx (6.6). The qdisc owns it, so it
 * persists without a pin. One attached at a handle the kernel chose is detached by closing this
 * object, as an unpinned link would be; one attached at a fixed handle and priority is kept on
 * close, like a pinned link, and a later attach at the same place replaces its program in place.
 * A filter is addressed by ifindex, which only means something in one network namespace, so the
 * link keeps a handle on the namespace it was attached in and detaches from inside it.
 */
final class ClsactFilterLink implements BpfLink {
    private final int ifindex;
    private final int netnsFd;
    private final TcDirection direction;
    private final int handle;
    private final int priority;
    private final String description;
    private final boolean keptOnClose;
    private volatile boolean closed;

    private ClsactFilterLink(int ifindex, int netnsFd, TcDirection direction, int handle, int priority,
                             String description, boolean keptOnClose) {
        this.ifindex = ifindex;
        this.netnsFd = netnsFd;
        this.direction = direction;
        this.handle = handle;
        this.priority = priority;
        this.description = description;
        this.keptOnClose = keptOnClose;
    }

    static ClsactFilterLink attach(BpfProgram program, int ifindex, TcDirection direction) {
        return attach(program, ifindex, direction, 0, 0);
    }

    /** At {@code handle} and {@code priority} (both non-zero): replaces whatever filter is there. */
    static ClsactFilterLink attach(BpfProgram program, int ifindex, TcDirection direction, int handle, int priority) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hook = hook(arena, ifindex, direction);
            int rc = SluiceNative.bpf_tc_hook_create(hook);
            if (rc < 0 && rc != -Errno.EEXIST) {
                throw new BpfException("cannot create clsact qdisc on ifindex " + ifindex, rc);
            }
            MemorySegment opts = bpf_tc_opts.allocate(arena);
            bpf_tc_opts.sz(opts, bpf_tc_opts.layout().byteSize());
            bpf_tc_opts.prog_fd(opts, program.fd());
            boolean fixed = handle != 0;
            if (fixed) {
                bpf_tc_opts.handle(opts, handle);
                bpf_tc_opts.priority(opts, priority);
                bpf_tc_opts.flags(opts, SluiceNative.BPF_TC_F_REPLACE());
            }
            rc = SluiceNative.bpf_tc_attach(hook, opts);
            String description = "clsact " + direction.name().toLowerCase() + " filter of '"
                    + program.name() + "' on ifindex " + ifindex;
            if (rc < 0) {
                throw new BpfException("cannot attach " + description, rc);
            }
            return new ClsactFilterLink(ifindex, NetworkNamespace.openCurrent(), direction, bpf_tc_opts.handle(opts),
                    bpf_tc_opts.priority(opts), description, fixed);
        }
    }

    private static MemorySegment hook(Arena arena, int ifindex, TcDirection direction) {
        MemorySegment hook = bpf_tc_hook.allocate(arena);
        bpf_tc_hook.sz(hook, bpf_tc_hook.layout().byteSize());
        bpf_tc_hook.ifindex(hook, ifindex);
        bpf_tc_hook.attach_point(hook, direction.clsactAttachPoint());
        return hook;
    }

    @Override
    public String description() {
        return description;
    }

    /** Removes the filter at {@code handle} and {@code priority} of the device, if there is one. */
    static void detach(int ifindex, TcDirection direction, int handle, int priority) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = bpf_tc_opts.allocate(arena);
            bpf_tc_opts.sz(opts, bpf_tc_opts.layout().byteSize());
            bpf_tc_opts.handle(opts, handle);
            bpf_tc_opts.priority(opts, priority);
            int rc = SluiceNative.bpf_tc_detach(hook(arena, ifindex, direction), opts);
            // Gone already: the filter was removed or its device deleted with its namespace.
            if (rc < 0 && rc != -Errno.ENOENT && rc != -Errno.ENODEV && rc != -Errno.EINVAL) {
                throw new BpfException("cannot detach the clsact " + direction.name().toLowerCase()
                        + " filter " + Integer.toHexString(handle) + " from ifindex " + ifindex, rc);
            }
        }
    }

    @Override
    public void pin(Path path) {
        throw new UnsupportedOperationException(description
                + " is kept by its qdisc and needs no pin; use tcx links to pin");
    }

    @Override
    public void update(BpfProgram program) {
        NetworkNamespace.callInside(netnsFd, () -> {
            replace(program);
            return null;
        });
    }

    private void replace(BpfProgram program) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = bpf_tc_opts.allocate(arena);
            bpf_tc_opts.sz(opts, bpf_tc_opts.layout().byteSize());
            bpf_tc_opts.prog_fd(opts, program.fd());
            bpf_tc_opts.handle(opts, handle);
            bpf_tc_opts.priority(opts, priority);
            bpf_tc_opts.flags(opts, SluiceNative.BPF_TC_F_REPLACE());
            int rc = SluiceNative.bpf_tc_attach(hook(arena, ifindex, direction), opts);
            if (rc < 0) {
                throw new BpfException("cannot replace the program of " + description, rc);
            }
        }
    }

    @Override
    public void detach() {
        NetworkNamespace.callInside(netnsFd, () -> {
            remove();
            return null;
        });
    }

    private void remove() {
        detach(ifindex, direction, handle, priority);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                if (!keptOnClose) {
                    detach();
                }
            } finally {
                Fds.close(netnsFd);
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
