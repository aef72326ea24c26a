package dev.sluice.control.agent;

import dev.sluice.ffm.sys.Bpffs;
import dev.sluice.ffm.sys.Cgroup2;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --prepare-node}: the DaemonSet's init container. Mounts the bpffs the agent pins into and
 * the cgroup2 hierarchy its socket hooks need where the host has neither, then exits, so the
 * long-running container needs no right to mount (Kubernetes gives mount propagation back to
 * the host to privileged containers only, and this one runs for a second).
 */
final class PrepareNode {
    private static final Logger LOG = LoggerFactory.getLogger(PrepareNode.class);

    private PrepareNode() {
    }

    static void run(Path bpffs, Path cgroupRoot) {
        prepare("bpffs", bpffs, Bpffs::isMounted, Bpffs::ensureMounted);
        prepare("cgroup2", cgroupRoot, Cgroup2::isMounted, Cgroup2::ensureMounted);
    }

    private interface Check {
        boolean isMounted(Path path);
    }

    private interface Mount {
        void mount(Path path);
    }

    private static void prepare(String what, Path path, Check check, Mount mount) {
        if (check.isMounted(path)) {
            LOG.info("{} already mounted at {}", what, path);
            return;
        }
        mount.mount(path);
        LOG.info("mounted {} at {}", what, path);
    }
}
