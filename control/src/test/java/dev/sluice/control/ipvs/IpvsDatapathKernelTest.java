package dev.sluice.control.ipvs;

import static dev.sluice.control.model.Fixtures.ip;
import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.model.NodeContext;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import dev.sluice.control.sync.SyncResult;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.IpvsKernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The IPVS datapath on a real kernel (the lab's 6.1 guest): a node namespace routes between a
 * client namespace and two backend "pod" namespaces; the reconciler programs a ClusterIP and a
 * NodePort service there, and real TCP connections from the client reach every backend with the
 * bytes intact. Then one backend goes, then the service. Everything happens in namespaces this
 * test creates.
 */
@IpvsKernelTest
class IpvsDatapathKernelTest {
    private static final String NODE_ADDRESS = "192.168.50.1";
    private static final String CLIENT_ADDRESS = "192.168.50.2";
    private static final String CLUSTER_IP = "10.96.0.10";
    private static final int NODE_PORT = 30080;
    private static final int TARGET_PORT = 8080;
    private static final int CONNECTIONS = 8;

    private final List<NetworkNamespace> namespaces = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private NetworkNamespace node;
    private NetworkNamespace client;
    private NetlinkIpvsKernel kernel;
    private IpvsReconciler reconciler;

    @BeforeEach
    void buildTopology() throws Exception {
        node = namespace("ipvs-node");
        client = namespace("ipvs-client");
        link(client, "c", CLIENT_ADDRESS, NODE_ADDRESS);
        for (int pod = 1; pod <= 2; pod++) {
            NetworkNamespace backend = namespace("ipvs-pod" + pod);
            link(backend, "p" + pod, "10.0." + pod + ".2", "10.0." + pod + ".1");
            String name = "pod" + pod;
            InetSocketAddress listen = new InetSocketAddress(ip("10.0." + pod + ".2"), TARGET_PORT);
            // Bound on the namespace's thread: Java creates the socket only when it binds.
            ServerSocket server = backend.call(() -> {
                ServerSocket socket = new ServerSocket();
                socket.bind(listen);
                return socket;
            });
            resources.add(server);
            Thread.ofVirtual().start(() -> serve(server, name));
        }
        kernel = node.call(() -> NetlinkIpvsKernel.open(NetlinkIpvsKernel.DUMMY));
        resources.add(kernel);
        List<String> sysctlFailures = node.call(() -> IpvsSysctls.apply(Path.of("/proc/sys"), NetlinkIpvsKernel.DUMMY));
        assertThat(sysctlFailures).isEmpty();
        assertThat(node.exec("sysctl", "-n", "net.ipv4.vs.conntrack").strip()).isEqualTo("1");
        assertThat(kernel.schedulerAvailable("rr")).isTrue();
        // rr, not mh: mh hashes the client address, and this test has one client that must reach both backends.
        reconciler = new IpvsReconciler(kernel,
                new NftablesFirewall(List.of("ip", "netns", "exec", node.name()), false, List.of()), "rr");
    }

    @AfterEach
    void tearDown() {
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // Deleting the namespaces below removes what is left.
            }
        }
        for (NetworkNamespace namespace : namespaces.reversed()) {
            namespace.close();
        }
    }

    @Test
    void clusterIpAndNodePortReachEveryBackendThenScaleDownThenRemoval() throws Exception {
        SyncResult first = reconciler.sync(ports("10.0.1.2", "10.0.2.2"));
        assertThat(first.errors()).isEmpty();
        assertThat(first.services()).isEqualTo(2);
        assertThat(node.exec("ip", "-o", "addr", "show", "dev", NetlinkIpvsKernel.DUMMY)).contains(CLUSTER_IP + "/32");

        assertThat(connectMany(CLUSTER_IP, 80)).containsExactlyInAnyOrder("pod1", "pod2");
        assertThat(connectMany(NODE_ADDRESS, NODE_PORT)).containsExactlyInAnyOrder("pod1", "pod2");

        // Nothing changed: the full resync reads the kernel back and finds nothing to repair.
        SyncResult resynced = reconciler.resync(ports("10.0.1.2", "10.0.2.2"));
        assertThat(resynced.writes()).isZero();
        assertThat(resynced.errors()).isEmpty();

        SyncResult scaled = reconciler.update(changed(ports("10.0.1.2")));
        assertThat(scaled.errors()).isEmpty();
        assertThat(scaled.backends()).isEqualTo(2);
        assertThat(connectMany(CLUSTER_IP, 80)).containsExactly("pod1");
        assertThat(connectMany(NODE_ADDRESS, NODE_PORT)).containsExactly("pod1");

        Map<ServicePortKey, ServicePort> removed = new HashMap<>();
        ports("10.0.1.2").forEach(port -> removed.put(port.key(), null));
        SyncResult gone = reconciler.update(removed);
        assertThat(gone.errors()).isEmpty();
        assertThat(gone.services()).isZero();
        assertThat(kernel.services()).isEmpty();
        assertThat(kernel.vips()).isEmpty();
        assertThat(kernel.service(new IpvsServiceKey(ip(CLUSTER_IP), IpvsProtocol.TCP, 80))).isEmpty();
    }

    /** Which backends answered {@value #CONNECTIONS} connections, each checked for the bytes it got back. */
    private Set<String> connectMany(String address, int port) throws Exception {
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            String request = "hello " + i + " to " + address + ":" + port;
            String reply = client.call(() -> exchange(address, port, request));
            String[] parts = reply.split(" ", 2);
            assertThat(parts).as("reply '%s'", reply).hasSize(2);
            assertThat(parts[1]).as("echo from %s", parts[0]).isEqualTo(request);
            reached.add(parts[0]);
        }
        return reached;
    }

    private static String exchange(String address, int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ip(address), port), 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    /** Answers each connection with "NAME " and the line it got. */
    private static void serve(ServerSocket server, String name) {
        while (!server.isClosed()) {
            try (Socket connection = server.accept()) {
                InputStream in = connection.getInputStream();
                String line = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                connection.getOutputStream().write((name + " " + line + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private Collection<ServicePort> ports(String... backends) {
        Service svc = service("web", CLUSTER_IP).editSpec().withType("NodePort")
                .withPorts(nodePort("http", 80, "TCP", NODE_PORT)).endSpec().build();
        EndpointSlice endpoints = slice("web", java.util.Arrays.stream(backends).map(a -> ready(a, "node-a"))
                .toArray(io.fabric8.kubernetes.api.model.discovery.v1.Endpoint[]::new));
        NodeContext here = new NodeContext("node-a", "zone-a", List.of(ip(NODE_ADDRESS)), "sluice");
        return ProxySemantics.compute(List.of(svc), List.of(endpoints), here).ports().values();
    }

    private static Map<ServicePortKey, ServicePort> changed(Collection<ServicePort> ports) {
        Map<ServicePortKey, ServicePort> changed = new HashMap<>();
        ports.forEach(port -> changed.put(port.key(), port));
        return changed;
    }

    private NetworkNamespace namespace(String prefix) {
        NetworkNamespace namespace = ScratchNamespace.create(prefix);
        namespaces.add(namespace);
        return namespace;
    }

    /** A veth from the node to {@code other}: the node side gets {@code gateway}/24 and routes for it. */
    private void link(NetworkNamespace other, String name, String address, String gateway) {
        node.exec("ip", "link", "add", name + "-node", "type", "veth", "peer", "name", name + "-peer");
        node.exec("ip", "link", "set", name + "-peer", "netns", other.name());
        node.exec("ip", "addr", "add", gateway + "/24", "dev", name + "-node");
        node.exec("ip", "link", "set", name + "-node", "up");
        other.exec("ip", "link", "set", name + "-peer", "name", "eth0");
        other.exec("ip", "addr", "add", address + "/24", "dev", "eth0");
        other.exec("ip", "link", "set", "eth0", "up");
        other.exec("ip", "route", "add", "default", "via", gateway);
    }
}
