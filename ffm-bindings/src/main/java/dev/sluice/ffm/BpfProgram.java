package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;
import dev.sluice.ffm.jextract.bpf_link_create_opts;
import dev.sluice.ffm.jextract.bpf_test_run_opts;
import dev.sluice.ffm.sys.Fds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** A loaded program of a {@link BpfObject}: attach it, test-run it, pin it. */
public final class BpfProgram {
    private final BpfObject owner;
    private final String name;
    private final int fd;
    private final ProgramType type;
    private final String section;

    BpfProgram(BpfObject owner, String name, int fd, ProgramType type, String section) {
        this.owner = owner;
        this.name = name;
        this.fd = fd;
        this.type = type;
        this.section = section;
    }

    public String name() {
        return name;
    }

    public ProgramType type() {
        return type;
    }

    public String section() {
        return section;
    }

    public int fd() {
        if (owner.isClosed()) {
            throw new IllegalStateException("program '" + name + "' belongs to closed object '"
                    + owner.name() + "'");
        }
        return fd;
    }

    /** Attaches as XDP to the device {@code ifindex} of the calling thread's network namespace. */
    public BpfLink attachXdp(int ifindex, XdpMode mode) {
        requireType(ProgramType.XDP, "attach to XDP");
        return link(ifindex, SluiceNative.BPF_XDP(), mode.flags(),
                "XDP (" + mode.name().toLowerCase() + ") link of '" + name + "' on ifindex " + ifindex);
    }

    /** Attaches as a tcx link (Linux 6.6+): pinnable, and detached when its last reference goes. */
    public BpfLink attachTc(int ifindex, TcDirection direction) {
        requireType(ProgramType.SCHED_CLS, "attach to tc");
        return link(ifindex, direction.tcxAttachType(), 0, "tcx " + direction.name().toLowerCase()
                + " link of '" + name + "' on ifindex " + ifindex);
    }

    /** Attaches as a direct-action filter on a clsact qdisc, for kernels without tcx. */
    public BpfLink attachTcClsact(int ifindex, TcDirection direction) {
        requireType(ProgramType.SCHED_CLS, "attach to tc");
        return ClsactFilterLink.attach(this, ifindex, direction);
    }

    /**
     * Attaches as the clsact filter at {@code handle} and {@code priority}, replacing the program of
     * a filter already there without a moment detached. The filter outlives the returned link's
     * close, as a pinned link does; {@link BpfLink#detach()} or {@link #detachTcClsact} removes it.
     */
    public BpfLink attachTcClsact(int ifindex, TcDirection direction, int handle, int priority) {
        requireType(ProgramType.SCHED_CLS, "attach to tc");
        if (handle == 0 || priority <= 0 || priority > 0xffff) {
            throw new IllegalArgumentException("a kept clsact filter needs a handle and a priority in 1..65535, not "
                    + handle + "/" + priority);
        }
        return ClsactFilterLink.attach(this, ifindex, direction, handle, priority);
    }

    /** Removes the clsact filter at {@code handle} and {@code priority} of the device, if any. */
    public static void detachTcClsact(int ifindex, TcDirection direction, int handle, int priority) {
        ClsactFilterLink.detach(ifindex, direction, handle, priority);
    }

    /** Attaches to a socket-address hook of the cgroup v2 directory {@code cgroup}. */
    public BpfLink attachCgroup(Path cgroup, CgroupSockAddrHook hook) {
        requireType(ProgramType.CGROUP_SOCK_ADDR, "attach to a cgroup socket hook");
        int cgroupFd = Fds.openDirectory(cgroup);
        try {
            return link(cgroupFd, hook.attachType(), 0, "cgroup " + hook.name().toLowerCase()
                    + " link of '" + name + "' on " + cgroup);
        } finally {
            SluiceNative.close(cgroupFd);
        }
    }

    /** Runs the program once or repeatedly on the given input with {@code BPF_PROG_RUN}. */
    public TestRunResult testRun(TestRun run) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = bpf_test_run_opts.allocate(arena);
            bpf_test_run_opts.sz(opts, bpf_test_run_opts.layout().byteSize());
            MemorySegment dataIn = arena.allocateFrom(ValueLayout.JAVA_BYTE, run.data());
            MemorySegment dataOut = arena.allocate(Math.max(1, run.dataOutCapacity()));
            bpf_test_run_opts.data_in(opts, dataIn);
            bpf_test_run_opts.data_size_in(opts, run.data().length);
            bpf_test_run_opts.data_out(opts, dataOut);
            bpf_test_run_opts.data_size_out(opts, (int) dataOut.byteSize());
            MemorySegment contextOut = MemorySegment.NULL;
            if (run.context() != null) {
                MemorySegment contextIn = arena.allocateFrom(ValueLayout.JAVA_BYTE, run.context());
                contextOut = arena.allocate(run.context().length);
                bpf_test_run_opts.ctx_in(opts, contextIn);
                bpf_test_run_opts.ctx_size_in(opts, run.context().length);
                bpf_test_run_opts.ctx_out(opts, contextOut);
                bpf_test_run_opts.ctx_size_out(opts, run.context().length);
            }
            bpf_test_run_opts.repeat(opts, run.repeat());
            int rc = SluiceNative.bpf_prog_test_run_opts(fd(), opts);
            if (rc < 0) {
                throw new BpfException("BPF_PROG_RUN of '" + name + "' failed", rc);
            }
            byte[] out = dataOut.asSlice(0, bpf_test_run_opts.data_size_out(opts)).toArray(ValueLayout.JAVA_BYTE);
            byte[] ctx = contextOut.equals(MemorySegment.NULL) ? null
                    : contextOut.asSlice(0, bpf_test_run_opts.ctx_size_out(opts)).toArray(ValueLayout.JAVA_BYTE);
            return new TestRunResult(bpf_test_run_opts.retval(opts), out, ctx,
                    Integer.toUnsignedLong(bpf_test_run_opts.duration(opts)), run.repeat());
        }
    }

    /** Pins the program itself (not an attachment) on a bpffs. */
    public void pin(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = SluiceNative.bpf_obj_pin(fd(), arena.allocateFrom(path.toString()));
            if (rc < 0) {
                throw new BpfException("cannot pin program '" + name + "' at " + path, rc);
            }
        }
    }

    private BpfLink link(int target, int attachType, int flags, String description) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = bpf_link_create_opts.allocate(arena);
            bpf_link_create_opts.sz(opts, bpf_link_create_opts.layout().byteSize());
            bpf_link_create_opts.flags(opts, flags);
            LibbpfLog.Captured<Integer> created = LibbpfLog.capture(
                    () -> SluiceNative.bpf_link_create(fd(), target, attachType, opts));
            if (created.value() < 0) {
                throw new BpfException("cannot create " + description, created.value(), created.log());
            }
            return new FdLink(created.value(), description);
        }
    }

    private void requireType(ProgramType expected, String action) {
        if (type != expected) {
            throw new BpfException("cannot " + action + ": program '" + name + "' is " + type
                    + " (section " + section + "), not " + expected);
        }
    }

    @Override
    public String toString() {
        return "program '" + name + "' (" + type + ")";
    }
}
