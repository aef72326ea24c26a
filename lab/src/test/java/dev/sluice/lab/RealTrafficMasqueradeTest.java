package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lab's agents run with --masquerade, and the client sits outside the cluster CIDRs. A pod's
 * own connection to a server out there leaves from its node's address; a connection the client
 * opens straight to a pod stays the client's, both ways, whatever size it carries. From pods on
 * both nodes, IPv4 and IPv6, with a server of the lab's own in the client's namespace.
 */
class RealTrafficMasqueradeTest extends RealTrafficTest {
    private static final long SIZE = 1024 * 1024;
    private final List<PayloadServer> outside = new ArrayList<>();

    @BeforeAll
    void startTheServerOutside() {
        for (String address : List.of(LabTopology.CLIENT_ADDRESS, LabTopology.CLIENT_ADDRESS6)) {
            outside.add(PayloadServer.start("outside", lab.topology().client(), address));
        }
    }

    @AfterAll
    void stopTheServerOutside() {
        outside.forEach(PayloadServer::close);
    }

    static Stream<Arguments> podsAndFamilies() {
        return Stream.of("web-a1", "web-b1").flatMap(pod -> Stream.of(Arguments.of(pod, 4), Arguments.of(pod, 6)));
    }

    @ParameterizedTest(name = "{0}, IPv{1}")
    @MethodSource("podsAndFamilies")
    void aPodReachesAServerOutsideTheClusterFromItsNodesAddress(String name, int family) {
        Pod pod = pod(name);
        String client = family == 4 ? LabTopology.CLIENT_ADDRESS : LabTopology.CLIENT_ADDRESS6;
        String node = (family == 4 ? LabTopology.NODE_ADDRESSES : LabTopology.NODE_ADDRESSES6).get(pod.node());
        try (PayloadConnection connection = PayloadConnection.open(pod.namespace(),
                new InetSocketAddress(client, PayloadServer.PORT))) {
            assertThat(address(connection.who().client())).as("the source the server outside sees")
                    .isEqualTo(address(node));
            connection.receive(SIZE);
            connection.upload(SIZE);
        }
    }

    @ParameterizedTest(name = "{0}, IPv{1}")
    @MethodSource("podsAndFamilies")
    void aClientOutsideReachesAPodStraightFromItsOwnAddress(String name, int family) {
        Pod pod = pod(name);
        String client = family == 4 ? LabTopology.CLIENT_ADDRESS : LabTopology.CLIENT_ADDRESS6;
        try (PayloadConnection connection = PayloadConnection.open(lab.topology().client(),
                new InetSocketAddress(family == 4 ? pod.address() : pod.address6(), PayloadServer.PORT))) {
            assertThat(connection.who()).as("who answered, and whom it saw")
                    .isEqualTo(new Answer(name, address(client).getHostAddress(), PayloadServer.PORT));
            connection.receive(SIZE);
            connection.upload(SIZE);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
