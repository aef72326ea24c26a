package dev.sluice.control.agent;

import dev.sluice.control.datapath.Datapath;
import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.BpfLink;
import dev.sluice.ffm.BpfProgram;
import dev.sluice.ffm.Errno;
import dev.sluice.ffm.XdpMode;
import dev.sluice.ffm.sys.Interfaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attaches xdp_node and tc_node to the node's external interfaces and tells XDP where it may
 * transmit. Each XDP link is pinned under its mode, so a restart with another {@code --xdp-mode}
 * detaches the old attachment and makes the new one (tc_node carries the traffic in between).
 */
final class NodeInterfaces {
    private static final Logger LOG = LoggerFactory.getLogger(NodeInterfaces.class);
    /** The agent runs in the node's network namespace (hostNetwork), whose devices sysfs lists. */
    static final Path SYS_CLASS_NET = Path.of("/sys/class/net");
    private static final Duration DETACH_WAIT = Duration.ofSeconds(2);

    private NodeInterfaces() {
    }

    static void attach(List<String> names, XdpMode mode, Datapath datapath, LinkPins pins, TcAttachments tc,
                       List<AutoCloseable> resources) {
        attach(names, mode, datapath, pins, tc, resources, SYS_CLASS_NET);
    }

    static void attach(List<String> names, XdpMode mode, Datapath datapath, LinkPins pins, TcAttachments tc,
                       List<AutoCloseable> resources, Path sysClassNet) {
        BpfProgram xdp = datapath.xdpNode();
        BpfProgram tcNode = datapath.tcNode();
        for (String name : names) {
            int ifindex = Interfaces.index(name);
            // What XDP cannot send on itself it passes to tc on the same interface.
            resources.add(tc.ensureIngress("tc-node-" + name, tcNode, ifindex));
            boolean detached = pins.detach("xdp-" + name);
            for (XdpMode other : XdpMode.values()) {
                if (other != mode) {
                    detached |= pins.detach(xdpPin(other, name));
                }
            }
            boolean replacing = detached;
            resources.add(pins.ensure(xdpPin(mode, name), xdp, () -> attachXdp(xdp, name, ifindex, mode, replacing)));
            boolean transmits = mayTransmit(sysClassNet, name, mode);
            if (transmits) {
                datapath.maps().xdpTxInterfaces().put(ifindex, (byte) 1);
            } else {
                datapath.maps().xdpTxInterfaces().delete(ifindex);
            }
            LOG.info("XDP on {} in {} mode {}", name, mode, transmits ? "transmits forwarded packets itself"
                    : "passes forwarded packets to tc, which redirects them (a virtual device's native XDP_TX "
                            + "depends on its peer)");
        }
    }

    /** The kernel releases a detached link from a work queue: until then the device is still taken. */
    private static BpfLink attachXdp(BpfProgram xdp, String name, int ifindex, XdpMode mode, boolean replacing) {
        long deadline = System.nanoTime() + DETACH_WAIT.toNanos();
        while (true) {
            try {
                return xdp.attachXdp(ifindex, mode);
            } catch (BpfException e) {
                if (e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.EINVAL) {
                    throw new IllegalStateException("--xdp-mode " + mode + ": interface " + name
                            + " cannot run XDP in this mode (" + e.errnoName() + "); use --xdp-mode AUTO, which "
                            + "falls back to generic XDP, or GENERIC", e);
                }
                if (!replacing || e.errno() != Errno.EEXIST || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
        }
    }

    static String xdpPin(XdpMode mode, String name) {
        return "xdp-" + mode.name().toLowerCase(java.util.Locale.ROOT) + "-" + name;
    }

    /**
     * Generic XDP transmits through the stack's own queueing, on any device. Native XDP_TX is
     * trusted on physical devices only: a veth's fails silently unless its peer runs XDP or GRO.
     */
    static boolean mayTransmit(Path sysClassNet, String name, XdpMode mode) {
        return mode == XdpMode.GENERIC || Files.exists(sysClassNet.resolve(name).resolve("device"));
    }
}
