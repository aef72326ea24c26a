package dev.sluice.control.datapath;

import dev.sluice.ffm.BpfProgram;
import dev.sluice.ffm.TestRun;
import dev.sluice.ffm.TestRunResult;
import dev.sluice.ffm.sys.Interfaces;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.PrivateBpffs;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A node for BPF_PROG_RUN: the datapath loaded with its maps in a private bpffs, and a network
 * namespace whose eth0, routes and static neighbours make every FIB lookup deterministic. All
 * addresses are in 198.18.0.0/15 and 2001:db8::/32, which exist only in this namespace.
 * <pre>
 *   client        198.18.0.1   2001:db8::1     02:00:00:00:00:01  (on eth0's link)
 *   this node     198.18.0.2   2001:db8::2     02:00:00:00:00:02  (eth0)
 *   node B        198.18.0.3   2001:db8::3     02:00:00:00:00:03  (next hop for remote pods)
 *   remote pods   198.18.1.0/24  2001:db8:1::/64  via node B
 *   local pods    198.18.2.0/24  2001:db8:2::/64  on a local veth
 * </pre>
 */
final class DatapathLab implements AutoCloseable {
    static final InetAddress CLIENT4 = address("198.18.0.1");
    static final InetAddress NODE4 = address("198.18.0.2");
    static final InetAddress NODE_B4 = address("198.18.0.3");
    static final InetAddress CLIENT6 = address("2001:db8::1");
    static final InetAddress NODE6 = address("2001:db8::2");
    static final InetAddress NODE_B6 = address("2001:db8::3");
    static final String CLIENT_MAC = "02:00:00:00:00:01";
    static final String NODE_MAC = "02:00:00:00:00:02";
    static final String NODE_B_MAC = "02:00:00:00:00:03";
    static final int HASH_SEED = 0x5eed;
    static final int SNAT_PORT_MIN = 61000;
    static final int SNAT_PORT_MAX = 65535;

    private final PrivateBpffs bpffs;
    private final NetworkNamespace node;
    /** The far end of eth0; without it eth0 has no carrier. */
    private final NetworkNamespace wire;
    private final Datapath datapath;
    private final int eth0;
    /** The node's namespace as create() left it, to tell whether a reset put everything back. */
    private final String pristineNode;

    private DatapathLab(PrivateBpffs bpffs, NetworkNamespace node, NetworkNamespace wire, Datapath datapath, int eth0) {
        this.bpffs = bpffs;
        this.node = node;
        this.wire = wire;
        this.datapath = datapath;
        this.eth0 = eth0;
        this.pristineNode = NodeState.of(node);
    }

    static DatapathLab create() {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        PrivateBpffs bpffs = PrivateBpffs.mount();
        NetworkNamespace node = null;
        NetworkNamespace wire = null;
        try {
            node = NetworkNamespace.create("sluice-t" + id + "-n");
            wire = NetworkNamespace.create("sluice-t" + id + "-w");
            node.exec("ip", "link", "add", "eth0", "address", NODE_MAC, "type", "veth", "peer", "name", "eth0", "netns", wire.name());
            // A veth pair stands in for pod interfaces (this kernel has no dummy driver).
            node.exec("ip", "link", "add", "pods", "type", "veth", "peer", "name", "pods-peer");
            node.exec("ip", "link", "set", "pods-peer", "up");
            for (String[] step : new String[][] {
                {"ip", "link", "set", "eth0", "up"}, {"ip", "link", "set", "pods", "up"},
                {"ip", "addr", "add", "198.18.0.2/24", "dev", "eth0"},
                {"ip", "addr", "add", "2001:db8::2/64", "dev", "eth0", "nodad"},
                {"ip", "neigh", "replace", "198.18.0.1", "lladdr", CLIENT_MAC, "dev", "eth0", "nud", "permanent"},
                {"ip", "neigh", "replace", "198.18.0.3", "lladdr", NODE_B_MAC, "dev", "eth0", "nud", "permanent"},
                {"ip", "neigh", "replace", "2001:db8::1", "lladdr", CLIENT_MAC, "dev", "eth0", "nud", "permanent"},
                {"ip", "neigh", "replace", "2001:db8::3", "lladdr", NODE_B_MAC, "dev", "eth0", "nud", "permanent"},
                {"ip", "route", "add", "198.18.1.0/24", "via", "198.18.0.3", "dev", "eth0"},
                {"ip", "route", "add", "2001:db8:1::/64", "via", "2001:db8::3", "dev", "eth0"},
                {"ip", "route", "add", "198.18.2.0/24", "dev", "pods"},
                {"ip", "route", "add", "2001:db8:2::/64", "dev", "pods"},
                {"sysctl", "-qw", "net.ipv4.ip_forward=1"},
                {"sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"},
            }) {
                node.exec(step);
            }
            int eth0 = node.call(() -> Interfaces.index("eth0"));
            Datapath datapath = Datapath.load(bpffs.root());
            try {
                configure(datapath, eth0);
                return new DatapathLab(bpffs, node, wire, datapath, eth0);
            } catch (RuntimeException failure) {
                datapath.close();
                throw failure;
            }
        } catch (RuntimeException failure) {
            if (wire != null) {
                wire.close();
            }
            if (node != null) {
                node.close();
            }
            bpffs.close();
            throw failure;
        }
    }

    private static void configure(Datapath datapath, int eth0) {
        datapath.maps().config().put(0, new DatapathConfig(HASH_SEED, SNAT_PORT_MIN, SNAT_PORT_MAX, NODE4, NODE6));
        // eth0 stands for a physical NIC: XDP transmits there itself.
        datapath.maps().xdpTxInterfaces().put(eth0, (byte) 1);
    }

    /**
     * Puts the lab back as {@link #create()} leaves it, in a fraction of the time: every map of
     * the datapath pristine and configured again, and the node's namespace undone where tests
     * change it. Anything else a test changed in the namespace fails the reset, naming it, since
     * the next test would otherwise see it.
     */
    void reset() {
        datapath.allMaps().forEach(PristineMaps::clear);
        configure(datapath, eth0);
        NodeState.restore(node);
        String now = NodeState.of(node);
        if (!now.equals(pristineNode)) {
            throw new IllegalStateException("the lab's node namespace differs from what create() left, and reset() "
                    + "does not undo that:\n" + NodeState.difference(pristineNode, now));
        }
    }

    Datapath datapath() {
        return datapath;
    }

    DatapathMaps maps() {
        return datapath.maps();
    }

    NetworkNamespace node() {
        return node;
    }

    /** Packets dropped for {@code reason}, all CPUs together. */
    long drops(DropReason reason) {
        return maps().drops().lookup(reason.ordinal()).orElseThrow().stream().mapToLong(Long::longValue).sum();
    }

    /** Runs a tool (ip, conntrack) inside this node's namespace. */
    String exec(String... command) {
        return node.exec(command);
    }

    /** The ifindex of eth0, where test frames come in. */
    int eth0() {
        return eth0;
    }

    /** Runs xdp_node on a frame as if it arrived on eth0. */
    TestRunResult xdp(byte[] frame) {
        return xdpAll(java.util.List.of(frame)).getFirst();
    }

    /** Runs xdp_node on each frame in turn, all from one thread inside the node's namespace. */
    java.util.List<TestRunResult> xdpAll(java.util.List<byte[]> frames) {
        BpfProgram program = datapath.xdpNode();
        return node.call(() -> frames.stream().map(frame -> program.testRun(xdpRun(frame, 1))).toList());
    }

    /** A BPF_PROG_RUN of xdp_node whose context says the frame came in on eth0. */
    TestRun xdpRun(byte[] frame, int repeat) {
        byte[] context = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder())
                .putInt(0).putInt(frame.length).putInt(0).putInt(eth0).putInt(0).putInt(0).array();
        return TestRun.packet(frame).context(context).repeat(repeat);
    }

    /** Runs tc_node_ingress on a frame as if it arrived on eth0 (what XDP passed on). */
    TestRunResult tcNode(byte[] frame) {
        BpfProgram program = datapath.tcNode();
        return node.call(() -> program.testRun(TestRun.packet(frame)));
    }

    /** Runs tc_pod_ingress on a frame as if a pod sent it. */
    TestRunResult tc(byte[] frame) {
        BpfProgram program = datapath.tcPod();
        return node.call(() -> program.testRun(TestRun.packet(frame)));
    }

    @Override
    public void close() {
        try {
            datapath.close();
        } finally {
            wire.close();
            node.close();
            bpffs.close();
        }
    }

    static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
