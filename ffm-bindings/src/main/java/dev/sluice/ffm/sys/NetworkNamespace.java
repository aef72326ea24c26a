package dev.sluice.ffm.sys;

import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.NativeSupport;
import dev.sluice.ffm.jextract.SluiceNative;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A named network namespace ({@code ip netns}). Java code runs inside it on a fresh platform thread
 * that has entered it with setns(2): sockets opened there and interface indexes looked up there
 * belong to the namespace, and the thread dies afterwards so no other code inherits it.
 */
public final class NetworkNamespace implements AutoCloseable {
    private static final Path NETNS_DIR = Path.of("/run/netns");
    private static final MethodHandle SETNS = NativeSupport.errnoCapturing(
            SluiceNative.setns$address(), SluiceNative.setns$descriptor());

    private final String name;
    private final boolean owned;

    private NetworkNamespace(String name, boolean owned) {
        this.name = name;
        this.owned = owned;
    }

    /** Creates a new namespace, removed again by {@link #close()}. Its loopback is brought up. */
    public static NetworkNamespace create(String name) {
        Command.run("ip", "netns", "add", name);
        NetworkNamespace namespace = new NetworkNamespace(name, true);
        try {
            namespace.exec("ip", "link", "set", "lo", "up");
        } catch (RuntimeException failure) {
            namespace.close();
            throw failure;
        }
        return namespace;
    }

    /** An existing namespace this object will not delete. */
    public static NetworkNamespace existing(String name) {
        return new NetworkNamespace(name, false);
    }

    public String name() {
        return name;
    }

    /** Runs a command inside the namespace and returns its stdout. */
    public String exec(String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = name;
        System.arraycopy(command, 0, full, 4, command.length);
        return Command.run(full);
    }

    /** Runs {@code task} on a thread inside the namespace and returns its result. */
    public <T> T call(Callable<T> task) {
        return callInside("netns " + name, () -> Fds.openReadOnly(NETNS_DIR.resolve(name)), true, task);
    }

    /** A handle on the calling thread's network namespace, for code that must come back to it. */
    public static int openCurrent() {
        return Fds.openReadOnly(Path.of("/proc/thread-self/ns/net"));
    }

    /** Runs {@code task} on a thread inside the namespace of {@code netnsFd} (kept open). */
    public static <T> T callInside(int netnsFd, Callable<T> task) {
        return callInside("netns fd " + netnsFd, () -> netnsFd, false, task);
    }

    private interface FdSource {
        int open();
    }

    private static <T> T callInside(String what, FdSource namespace, boolean closeFd, Callable<T> task) {

        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name(what).unstarted(() -> {
            try {
                enter(what, namespace, closeFd);
                result.set(task.call());
            } catch (Throwable thrown) {
                failure.set(thrown);
            }
        });
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running in " + what, e);
        }
        Throwable thrown = failure.get();
        if (thrown instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        if (thrown != null) {
            throw new IllegalStateException("task in " + what + " failed",
                    new ExecutionException(thrown));
        }
        return result.get();
    }

    public void run(ThrowingRunnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** A task that may throw checked exceptions. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void enter(String name, FdSource namespace, boolean closeFd) {
        int fd = namespace.open();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.allocateCallState(arena);
            int rc = (int) SETNS.invokeExact(state, fd, SluiceNative.CLONE_NEWNET());
            if (rc < 0) {
                throw new BpfException("cannot enter network namespace " + name, NativeSupport.errno(state));
            }
        } catch (Throwable thrown) {
            throw NativeSupport.propagate(thrown);
        } finally {
            if (closeFd) {
                Fds.close(fd);
            }
        }
    }

    @Override
    public void close() {
        if (owned) {
            Command.execute("ip", "netns", "delete", name);
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }
}
