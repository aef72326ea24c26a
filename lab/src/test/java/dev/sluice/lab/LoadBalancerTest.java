package dev.sluice.lab;

import static dev.sluice.lab.Manifest.endpointPort;
import static dev.sluice.lab.Manifest.port;
import static dev.sluice.lab.Manifest.service;
import static dev.sluice.lab.Manifest.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.testing.KernelTest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Frontends outside the cluster's ranges: a LoadBalancer ingress IP with loadBalancerSourceRanges
 * (sig-network "should only allow access from service loadbalancer source ranges") and an
 * externalIP. The client routes both through a node, as a cloud load balancer or router would.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadBalancerTest {
    private static final String INGRESS_IP = "198.18.200.1";
    private static final String EXTERNAL_IP = "198.18.201.1";
    /** A second address of the client, outside the source ranges. */
    private static final String OUTSIDER = "198.18.0.9";

    private Lab lab;

    @BeforeAll
    void start() {
        lab = Lab.start(2, LoadBalancerTest::manifest);
        var client = lab.topology().client();
        client.exec("ip", "route", "add", INGRESS_IP + "/32", "via", LabTopology.NODE_ADDRESSES.get("node-a"));
        client.exec("ip", "route", "add", EXTERNAL_IP + "/32", "via", LabTopology.NODE_ADDRESSES.get("node-b"));
        client.exec("ip", "addr", "add", OUTSIDER + "/24", "dev", "eth0");
    }

    @AfterAll
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    private static List<HasMetadata> manifest(List<Pod> pods) {
        return List.of(
                service("lb", "LoadBalancer", "198.18.100.70", port("http", 80, "TCP", Backends.HTTP_PORT, 30130))
                        .editSpec().withLoadBalancerSourceRanges(LabTopology.CLIENT_ADDRESS + "/32").endSpec()
                        .withNewStatus().withNewLoadBalancer().addNewIngress().withIp(INGRESS_IP).endIngress()
                        .endLoadBalancer().endStatus().build(),
                slice("lb", pods, endpointPort("http", Backends.HTTP_PORT, "TCP")),
                service("ext", "ClusterIP", "198.18.100.71", port("http", 80, "TCP", Backends.HTTP_PORT, 0))
                        .editSpec().withExternalIPs(EXTERNAL_IP).endSpec().build(),
                slice("ext", pods, endpointPort("http", Backends.HTTP_PORT, "TCP")));
    }

    @Test
    void anAllowedSourceReachesTheLoadBalancerIp() {
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            reached.add(Answer.parse(lab.client().http(INGRESS_IP, 80)).pod());
        }
        assertThat(reached).hasSize(lab.pods().size());
    }

    @Test
    void aSourceOutsideTheRangesGetsNoAnswer() {
        long dropped = Cli.drops(lab.topology().bpffsRoot("node-a"), "source_range");
        Throwable thrown = Failures.thrownBy(
                () -> lab.client().http(INGRESS_IP, 80, new InetSocketAddress(OUTSIDER, 0)));
        assertThat(thrown).isInstanceOf(SocketTimeoutException.class);
        assertThat(Cli.drops(lab.topology().bpffsRoot("node-a"), "source_range")).as("source_range drops on node-a")
                .isGreaterThan(dropped);
        // The same socket setup from the allowed address works, so the address alone decided.
        assertThat(Answer.parse(lab.client().http(INGRESS_IP, 80, new InetSocketAddress(LabTopology.CLIENT_ADDRESS, 0))).pod())
                .startsWith("web-");
    }

    @Test
    void anExternalIpRoutedToANodeReachesTheService() {
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            Answer answer = Answer.parse(lab.client().http(EXTERNAL_IP, 80));
            reached.add(answer.pod());
        }
        assertThat(reached).hasSize(lab.pods().size());
    }
}
