package dev.sluice.image;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * The capabilities the agent's container gets: CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON, as the
 * DaemonSet asks for them. Docker's default seccomp profile allows bpf(2) and perf_event_open to
 * holders of those, so no security-opt is needed. Debian 12's docker.io (20.10.24) is built
 * against a capability list that predates CAP_BPF and CAP_PERFMON and refuses their names; on
 * such a daemon CAP_SYS_ADMIN, which the kernel accepts for both, stands in, and the test says so.
 */
final class DaemonCapabilities {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonCapabilities.class);
    private static final Capability[] DATAPATH = {Capability.BPF, Capability.NET_ADMIN, Capability.PERFMON};
    private static final Capability[] OLD_DAEMON = {Capability.SYS_ADMIN, Capability.NET_ADMIN};

    private DaemonCapabilities() {
    }

    /** Asks the daemon to create (never start) a container with CAP_BPF and CAP_PERFMON. */
    static Capability[] datapath(String image) {
        DockerClient docker = DockerClientFactory.instance().client();
        try {
            String id = docker.createContainerCmd(image)
                    .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none")
                            .withCapDrop(Capability.ALL).withCapAdd(DATAPATH))
                    .exec().getId();
            docker.removeContainerCmd(id).withForce(true).exec();
            return DATAPATH;
        } catch (BadRequestException unknown) {
            if (!String.valueOf(unknown.getMessage()).contains("unknown capability")) {
                throw unknown;
            }
            LOG.warn("this Docker daemon does not know CAP_BPF/CAP_PERFMON ({}); using CAP_SYS_ADMIN instead",
                    unknown.getMessage().strip());
            return OLD_DAEMON;
        }
    }
}
