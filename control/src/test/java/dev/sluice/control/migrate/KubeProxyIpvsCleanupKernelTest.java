package dev.sluice.control.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ffm.ipvs.IpvsClient;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import dev.sluice.ffm.netlink.Rtnetlink;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.IpvsKernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kube-proxy's IPVS mode as it leaves a node, in a namespace of its own: kube-ipvs0 holding a v4
 * and a v6 ClusterIP, virtual services with real servers on them, a NodePort on the node's own
 * address, beside an admin's services on another address and on a node address outside the
 * NodePort range. The cleanup removes exactly kube-proxy's. Needs ip_vs and the dummy driver (the
 * kernel lab's 6.1 guest).
 */
@IpvsKernelTest
class KubeProxyIpvsCleanupKernelTest {
    private static final InetAddress NODE_V4 = ip("172.18.0.2");
    private static final IpvsServiceKey CLUSTER_IP_V4 = tcp("10.96.0.1", 443);
    private static final IpvsServiceKey CLUSTER_IP_V4_DNS = new IpvsServiceKey(ip("10.96.0.1"), IpvsProtocol.UDP, 53);
    private static final IpvsServiceKey CLUSTER_IP_V6 = tcp("fd00:96::1", 80);
    private static final IpvsServiceKey NODE_PORT = tcp("172.18.0.2", 30080);
    private static final IpvsServiceKey FOREIGN_ADDRESS = tcp("198.51.100.7", 80);
    private static final IpvsServiceKey NODE_ADDRESS_OTHER_PORT = tcp("172.18.0.2", 8443);

    private NetworkNamespace namespace;
    private IpvsClient ipvs;

    @BeforeEach
    void loadKubeProxysIpvsState() {
        namespace = ScratchNamespace.create("sl-kpipvs");
        namespace.run(() -> {
            try (Rtnetlink links = Rtnetlink.open()) {
                // The node's own interface, with the address kube-proxy put its NodePort services on.
                links.ensureDummy("sl-node0");
                links.addAddress("sl-node0", NODE_V4);
                links.setUp("sl-node0");
                links.ensureDummy(IpvsCleaner.DUMMY);
                links.addAddress(IpvsCleaner.DUMMY, CLUSTER_IP_V4.address());
                links.addAddress(IpvsCleaner.DUMMY, CLUSTER_IP_V6.address());
            }
        });
        ipvs = namespace.call(IpvsClient::open);
        Map<IpvsServiceKey, List<IpvsDestination>> services = Map.of(
                CLUSTER_IP_V4, List.of(IpvsDestination.of(ip("10.244.1.5"), 6443, 1),
                        IpvsDestination.of(ip("10.244.2.7"), 6443, 1)),
                CLUSTER_IP_V4_DNS, List.of(IpvsDestination.of(ip("10.244.1.9"), 53, 1)),
                CLUSTER_IP_V6, List.of(IpvsDestination.of(ip("fd00:244::5"), 8080, 1)),
                NODE_PORT, List.of(IpvsDestination.of(ip("10.244.1.5"), 8080, 1)),
                FOREIGN_ADDRESS, List.of(IpvsDestination.of(ip("198.51.100.20"), 80, 1)),
                NODE_ADDRESS_OTHER_PORT, List.of(IpvsDestination.of(ip("10.0.0.8"), 443, 1)));
        services.forEach((key, destinations) -> {
            ipvs.addService(IpvsService.of(key, "rr"));
            destinations.forEach(destination -> ipvs.addDestination(key, destination));
        });
        assertEquals(sorted(List.copyOf(services.keySet())), keys(), "the fixture is loaded");
    }

    @AfterEach
    void deleteNamespace() {
        // Its IPVS table and links go with it.
        try {
            if (ipvs != null) {
                ipvs.close();
            }
        } finally {
            if (namespace != null) {
                namespace.close();
            }
        }
    }

    @Test
    void removesExactlyKubeProxysVirtualServicesThenItsDummy() {
        KubeProxyCleanup.Removed removed = KubeProxyCleanup.run(NodeTools.inNamespace(namespace.name()));

        assertEquals(4, removed.ipvsServices(), "two v4 ClusterIP services, the v6 one and the NodePort");
        assertEquals(1, removed.ipvsObjects(), "kube-ipvs0");
        assertEquals(sorted(List.of(FOREIGN_ADDRESS, NODE_ADDRESS_OTHER_PORT)), keys());
        assertEquals(List.of(IpvsDestination.of(ip("198.51.100.20"), 80, 1)),
                ipvs.destinations(FOREIGN_ADDRESS).stream().map(IpvsDestination::withoutStats).toList());
        boolean[] links = namespace.call(() -> {
            try (Rtnetlink rtnetlink = Rtnetlink.open()) {
                return new boolean[] {rtnetlink.link(IpvsCleaner.DUMMY).isPresent(), rtnetlink.link("sl-node0").isPresent()};
            }
        });
        assertEquals(false, links[0], "kube-ipvs0 is gone");
        assertTrue(links[1], "the node's interface stays");

        KubeProxyCleanup.Removed again = KubeProxyCleanup.run(NodeTools.inNamespace(namespace.name()));

        assertEquals(0, again.ipvsServices() + again.ipvsObjects(), "a second run finds nothing of kube-proxy's");
        assertEquals(sorted(List.of(FOREIGN_ADDRESS, NODE_ADDRESS_OTHER_PORT)), keys());
    }

    /** A cluster whose API server hands NodePorts out of 8000-8999: 8443 on the node address is kube-proxy's, 30080 is not. */
    @Test
    void takesNodePortsFromTheConfiguredRange() {
        KubeProxyCleanup.Removed removed = KubeProxyCleanup.run(NodeTools.inNamespace(namespace.name()), 8000, 8999);

        assertEquals(4, removed.ipvsServices(), "two v4 ClusterIP services, the v6 one and the NodePort 8443");
        assertEquals(sorted(List.of(NODE_PORT, FOREIGN_ADDRESS)), keys());
    }

    private List<IpvsServiceKey> keys() {
        return sorted(ipvs.services().stream().map(IpvsService::key).toList());
    }

    private static List<IpvsServiceKey> sorted(List<IpvsServiceKey> keys) {
        return keys.stream().sorted(Comparator.comparing(IpvsServiceKey::toString)).toList();
    }

    private static IpvsServiceKey tcp(String address, int port) {
        return new IpvsServiceKey(ip(address), IpvsProtocol.TCP, port);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
