package dev.sluice.ffm.sys;

import java.nio.file.Path;

/**
 * The unified cgroup hierarchy that cgroup socket hooks attach to. Hosts that still mount only
 * cgroup v1 controllers have the v2 hierarchy too, unmounted: mounting it anywhere exposes it.
 */
public final class Cgroup2 {
    private static final String TYPE = "cgroup2";

    private Cgroup2() {
    }

    public static boolean isMounted(Path directory) {
        return Mounts.isMounted(directory, TYPE);
    }

    /** Mounts the cgroup2 hierarchy at {@code directory} unless it is there; creates the directory. */
    public static void ensureMounted(Path directory) {
        if (!isMounted(directory)) {
            Mounts.mount(directory, TYPE);
        }
    }

    /** Lazily unmounts the cgroup2 mount at {@code directory} (the hierarchy itself stays). */
    public static void unmount(Path directory) {
        Mounts.unmount(directory);
    }
}
