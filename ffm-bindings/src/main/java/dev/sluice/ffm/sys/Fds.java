package dev.sluice.ffm.sys;

import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.NativeSupport;
import dev.sluice.ffm.jextract.SluiceNative;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/** Raw file descriptors for the few kernel objects Java cannot open itself (cgroups, netns files). */
public final class Fds {
    // open(2) is variadic; calling it without the optional mode is its two-argument form.
    private static final MethodHandle OPEN = NativeSupport.errnoCapturing(
            SluiceNative.open.address(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));

    private Fds() {
    }

    /** Opens a directory (a cgroup) read-only, close-on-exec. */
    public static int openDirectory(Path directory) {
        return open(directory, SluiceNative.O_RDONLY() | SluiceNative.O_DIRECTORY() | SluiceNative.O_CLOEXEC());
    }

    /** Opens a file (a network namespace handle) read-only, close-on-exec. */
    public static int openReadOnly(Path file) {
        return open(file, SluiceNative.O_RDONLY() | SluiceNative.O_CLOEXEC());
    }

    public static void close(int fd) {
        SluiceNative.close(fd);
    }

    private static int open(Path path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.allocateCallState(arena);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), flags);
            if (fd < 0) {
                throw new BpfException("cannot open " + path, NativeSupport.errno(state));
            }
            return fd;
        } catch (Throwable thrown) {
            throw NativeSupport.propagate(thrown);
        }
    }
}
