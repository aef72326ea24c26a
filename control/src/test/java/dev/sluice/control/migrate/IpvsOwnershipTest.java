package dev.sluice.control.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rule that tells kube-proxy's IPVS virtual services from everyone else's. */
class IpvsOwnershipTest {
    private static final Set<InetAddress> KUBE_IPVS0 = Set.of(ip("10.96.0.1"), ip("10.96.0.10"), ip("fd00:96::1"),
            ip("192.0.2.50") /* a LoadBalancer IP */);
    private static final Set<InetAddress> NODE = Set.of(ip("172.18.0.2"), ip("127.0.0.1"), ip("fd00:18::2"),
            ip("fe80::1"));
    private static final IpvsOwnership DEFAULT = IpvsOwnership.withDefaultNodePorts(KUBE_IPVS0, NODE);

    @Test
    void servicesOnKubeIpvs0AddressesAreKubeProxysWhateverTheirPortAndProtocol() {
        for (IpvsServiceKey service : List.of(tcp("10.96.0.1", 443), udp("10.96.0.10", 53), tcp("10.96.0.10", 9153),
                tcp("fd00:96::1", 80), tcp("192.0.2.50", 8080), tcp("10.96.0.1", 31000))) {
            assertTrue(DEFAULT.isKubeProxys(service), service + " is kube-proxy's");
        }
    }

    @Test
    void nodePortsOnNodeAddressesAreKubeProxysAtTheEdgesOfTheRange() {
        for (IpvsServiceKey service : List.of(tcp("172.18.0.2", 30000), tcp("172.18.0.2", 32767),
                udp("127.0.0.1", 30080), tcp("fd00:18::2", 31234), tcp("fe80::1", 30001))) {
            assertTrue(DEFAULT.isKubeProxys(service), service + " is kube-proxy's");
        }
    }

    @Test
    void everythingElseIsLeft() {
        for (IpvsServiceKey service : List.of(
                tcp("172.18.0.2", 29999), tcp("172.18.0.2", 32768), tcp("172.18.0.2", 22), udp("fd00:18::2", 53),
                tcp("198.51.100.7", 30080) /* NodePort range, foreign address */, tcp("198.51.100.7", 80),
                tcp("10.96.0.2", 443) /* next to a ClusterIP, not on kube-ipvs0 */, tcp("0.0.0.0", 30080),
                tcp("::", 30080))) {
            assertFalse(DEFAULT.isKubeProxys(service), service + " is not kube-proxy's");
        }
    }

    @Test
    void aConfiguredNodePortRangeReplacesTheDefault() {
        IpvsOwnership custom = new IpvsOwnership(KUBE_IPVS0, NODE, 20000, 22767);

        assertTrue(custom.isKubeProxys(tcp("172.18.0.2", 20000)));
        assertTrue(custom.isKubeProxys(tcp("172.18.0.2", 22767)));
        assertFalse(custom.isKubeProxys(tcp("172.18.0.2", 30080)));
        assertTrue(custom.isKubeProxys(tcp("10.96.0.1", 30080)), "kube-ipvs0's addresses do not depend on the range");
    }

    @Test
    void withoutKubeIpvs0OnlyNodePortsAreKubeProxys() {
        IpvsOwnership noDummy = IpvsOwnership.withDefaultNodePorts(Set.of(), NODE);

        assertFalse(noDummy.isKubeProxys(tcp("10.96.0.1", 443)));
        assertTrue(noDummy.isKubeProxys(tcp("172.18.0.2", 30080)));
    }

    @Test
    void splitKeepsTheOrderOfEachSide() {
        List<IpvsServiceKey> services = List.of(tcp("198.51.100.7", 80), tcp("10.96.0.1", 443),
                tcp("172.18.0.2", 22), tcp("172.18.0.2", 30080), tcp("fd00:96::1", 80));

        IpvsOwnership.Split split = DEFAULT.split(services);

        assertEquals(List.of(tcp("10.96.0.1", 443), tcp("172.18.0.2", 30080), tcp("fd00:96::1", 80)), split.kubeProxys());
        assertEquals(List.of(tcp("198.51.100.7", 80), tcp("172.18.0.2", 22)), split.others());
    }

    @Test
    void anInvalidRangeIsRefusedWithItsBounds() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new IpvsOwnership(KUBE_IPVS0, NODE, 32767, 30000));
        assertEquals("NodePort range 32767-30000 is not a range of ports within 1..65535", refused.getMessage());
    }

    private static IpvsServiceKey tcp(String address, int port) {
        return new IpvsServiceKey(ip(address), IpvsProtocol.TCP, port);
    }

    private static IpvsServiceKey udp(String address, int port) {
        return new IpvsServiceKey(ip(address), IpvsProtocol.UDP, port);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
