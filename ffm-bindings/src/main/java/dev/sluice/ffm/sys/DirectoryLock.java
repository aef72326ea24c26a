package dev.sluice.ffm.sys;

import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.Errno;
import dev.sluice.ffm.NativeSupport;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An exclusive flock(2) on a directory. It works where a lock file cannot be created (bpffs holds
 * only pins), it is shared by every mount of the same directory (a container's hostPath and the
 * host see one lock), and the kernel drops it when its holder dies, even by SIGKILL.
 */
public final class DirectoryLock implements AutoCloseable {
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    // flock is outside the jextract header; one libc symbol does not justify regenerating it.
    private static final MethodHandle FLOCK = NativeSupport.errnoCapturing(
            Linker.nativeLinker().defaultLookup().find("flock").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final int fd;

    private DirectoryLock(int fd) {
        this.fd = fd;
    }

    /** Takes the lock at once, or returns empty when another open of the directory holds it. */
    public static Optional<DirectoryLock> tryLock(Path directory) {
        int fd = Fds.openDirectory(directory);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.allocateCallState(arena);
            int result = (int) FLOCK.invokeExact(state, fd, LOCK_EX | LOCK_NB);
            if (result == 0) {
                return Optional.of(new DirectoryLock(fd));
            }
            int errno = NativeSupport.errno(state);
            Fds.close(fd);
            if (errno == Errno.EAGAIN) {
                return Optional.empty();
            }
            throw new BpfException("cannot lock " + directory, errno);
        } catch (Throwable thrown) {
            throw NativeSupport.propagate(thrown);
        }
    }

    /** Releases the lock (closing the descriptor releases it). */
    @Override
    public void close() {
        Fds.close(fd);
    }
}
