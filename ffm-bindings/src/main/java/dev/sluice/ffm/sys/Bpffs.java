package dev.sluice.ffm.sys;

import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.NativeSupport;
import dev.sluice.ffm.jextract.SluiceNative;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The BPF filesystem that pins live on. Besides the usual {@code /sys/fs/bpf}, any directory can
 * hold a private instance: agents on one machine and tests get one each, so pins never collide.
 */
public final class Bpffs {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final MethodHandle MOUNT = NativeSupport.errnoCapturing(
            SluiceNative.mount$address(), SluiceNative.mount$descriptor());

    private Bpffs() {
    }

    /** Whether a bpffs is mounted exactly at {@code directory}. */
    public static boolean isMounted(Path directory) {
        String target = directory.toAbsolutePath().normalize().toString();
        try {
            List<String> lines = Files.readAllLines(MOUNTINFO);
            for (String line : lines) {
                String[] fields = line.split(" ");
                int separator = line.indexOf(" - ");
                if (fields.length > 4 && separator > 0 && fields[4].equals(target)
                        && line.substring(separator + 3).startsWith("bpf ")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MOUNTINFO, e);
        }
    }

    /** Mounts a bpffs at {@code directory} unless one is there; creates the directory. */
    public static void ensureMounted(Path directory) {
        if (!isMounted(directory)) {
            mount(directory);
        }
    }

    /** Mounts a new bpffs instance at {@code directory}, creating the directory. */
    public static void mount(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create bpffs mount point " + directory, e);
        }
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.allocateCallState(arena);
            MemorySegment bpf = arena.allocateFrom("bpf");
            rc = (int) MOUNT.invokeExact(state, bpf, arena.allocateFrom(directory.toString()), bpf,
                    0L, MemorySegment.NULL);
            if (rc != 0) {
                throw new BpfException("cannot mount bpffs at " + directory, NativeSupport.errno(state));
            }
        } catch (Throwable thrown) {
            throw NativeSupport.propagate(thrown);
        }
    }

    /** Lazily unmounts the bpffs at {@code directory}; pins in it go with it. */
    public static void unmount(Path directory) {
        try (Arena arena = Arena.ofConfined()) {
            SluiceNative.umount2(arena.allocateFrom(directory.toString()), SluiceNative.MNT_DETACH());
        }
    }
}
