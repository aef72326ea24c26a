package dev.sluice.ffm.sys;

import java.nio.file.Path;

/**
 * The BPF filesystem that pins live on. Besides the usual {@code /sys/fs/bpf}, any directory can
 * hold a private instance: agents on one machine and tests get one each, so pins never collide.
 */
public final class Bpffs {
    private static final String TYPE = "bpf";

    private Bpffs() {
    }

    /** Whether a bpffs is mounted exactly at {@code directory}. */
    public static boolean isMounted(Path directory) {
        return Mounts.isMounted(directory, TYPE);
    }

    /** Mounts a bpffs at {@code directory} unless one is there; creates the directory. */
    public static void ensureMounted(Path directory) {
        if (!isMounted(directory)) {
            mount(directory);
        }
    }

    /** Mounts a new bpffs instance at {@code directory}, creating the directory. */
    public static void mount(Path directory) {
        Mounts.mount(directory, TYPE);
    }

    /** Lazily unmounts the bpffs at {@code directory}; pins in it go with it. */
    public static void unmount(Path directory) {
        Mounts.unmount(directory);
    }
}
