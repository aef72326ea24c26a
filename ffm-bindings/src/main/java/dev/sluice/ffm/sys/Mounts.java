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

/** mount(2) of the pseudo filesystems sluice needs, and whether one is already there. */
final class Mounts {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final MethodHandle MOUNT = NativeSupport.errnoCapturing(
            SluiceNative.mount$address(), SluiceNative.mount$descriptor());

    private Mounts() {
    }

    /** Whether a filesystem of {@code type} is mounted exactly at {@code directory}. */
    static boolean isMounted(Path directory, String type) {
        String target = directory.toAbsolutePath().normalize().toString();
        try {
            for (String line : Files.readAllLines(MOUNTINFO)) {
                String[] fields = line.split(" ");
                int separator = line.indexOf(" - ");
                if (fields.length > 4 && separator > 0 && fields[4].equals(target)
                        && line.substring(separator + 3).startsWith(type + " ")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MOUNTINFO, e);
        }
    }

    /** Mounts a new instance of {@code type} at {@code directory}, creating the directory. */
    static void mount(Path directory, String type) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + type + " mount point " + directory, e);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.allocateCallState(arena);
            MemorySegment fs = arena.allocateFrom(type);
            int rc = (int) MOUNT.invokeExact(state, fs, arena.allocateFrom(directory.toString()), fs,
                    0L, MemorySegment.NULL);
            if (rc != 0) {
                throw new BpfException("cannot mount " + type + " at " + directory, NativeSupport.errno(state));
            }
        } catch (Throwable thrown) {
            throw NativeSupport.propagate(thrown);
        }
    }

    static void unmount(Path directory) {
        try (Arena arena = Arena.ofConfined()) {
            SluiceNative.umount2(arena.allocateFrom(directory.toString()), SluiceNative.MNT_DETACH());
        }
    }
}
