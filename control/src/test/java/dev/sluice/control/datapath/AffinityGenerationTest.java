package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.CLIENT_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_MAC;
import static dev.sluice.control.datapath.TestServices.TCP;
import static dev.sluice.control.datapath.XdpNodeServiceTest.NODE_PORT;
import static dev.sluice.control.datapath.XdpNodeServiceTest.SERVICE;
import static dev.sluice.control.datapath.XdpNodeServiceTest.TARGET_PORT;
import static dev.sluice.control.datapath.XdpNodeServiceTest.dstOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.datapath.packet.TcpFlag;
import dev.sluice.ffm.testing.KernelTest;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A ClientIP affinity entry counts only for the service and the backend it was made for: ids are
 * reused, so the entry names both by id and generation, and one whose generations no longer match
 * is ignored and replaced by the table's choice.
 */
@KernelTest
class AffinityGenerationTest extends SharedLabTest {
    private static final int TIMEOUT_SECONDS = 10800;
    private static final int SERVICE_GENERATION = 7;
    private static final int FIRST = 11;
    private static final int FIRST_GENERATION = 101;
    private static final int SECOND = 12;
    private static final int SECOND_GENERATION = 102;

    /** The service with both backends, its table naming only the first, and a client remembered on it. */
    private AffinityKey clientOnTheFirstBackend(LabAddresses net) {
        install(net, SERVICE_GENERATION, FIRST);
        assertThat(connect(net, 41000)).isEqualTo(net.remotePod1);
        AffinityKey key = new AffinityKey(net.client, SERVICE);
        assertThat(lab.maps().affinity().lookup(key)).get().extracting(AffinityValue::backendId,
                AffinityValue::backendGeneration, AffinityValue::serviceGeneration)
                .containsExactly(FIRST, FIRST_GENERATION, SERVICE_GENERATION);
        return key;
    }

    private void install(LabAddresses net, int serviceGeneration, int tableBackend) {
        TestServices.install(lab.maps(), SERVICE, serviceGeneration, ServiceValue.F_AFFINITY, TIMEOUT_SECONDS,
                Map.of(FIRST, new BackendValue(net.remotePod1, TARGET_PORT, 0, FIRST_GENERATION),
                        SECOND, new BackendValue(net.remotePod2, TARGET_PORT, 0, SECOND_GENERATION)),
                TestServices.table(tableBackend), List.of(new FrontendKey(net.node, NODE_PORT, TCP)),
                FrontendValue.NODE_PORT);
    }

    /** Where a new connection from the client on this port is sent. */
    private InetAddress connect(LabAddresses net, int clientPort) {
        byte[] syn = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, clientPort, NODE_PORT)
                .flags(TcpFlag.SYN).seq(1000).window(64240).payload(new byte[0]).build();
        return dstOf(lab.xdp(syn).dataOut(), net);
    }

    private AffinityValue remembered(AffinityKey key) {
        return lab.maps().affinity().lookup(key).orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void anEntryMadeUnderTheServicesPreviousGenerationIsIgnoredAndReplaced(LabAddresses net) {
        AffinityKey key = clientOnTheFirstBackend(net);

        // The id now stands for another service, whose table names the second backend only.
        install(net, SERVICE_GENERATION + 1, SECOND);

        assertThat(connect(net, 41001)).as("the table's choice").isEqualTo(net.remotePod2);
        assertThat(remembered(key)).extracting(AffinityValue::backendId, AffinityValue::backendGeneration,
                AffinityValue::serviceGeneration).containsExactly(SECOND, SECOND_GENERATION, SERVICE_GENERATION + 1);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void anEntryNamingABackendIdNowGivenToAnotherBackendIsIgnored(LabAddresses net) {
        AffinityKey key = clientOnTheFirstBackend(net);

        // The first backend's id was freed and handed to a backend elsewhere; the table moved on.
        lab.maps().backends().put(FIRST, new BackendValue(net.localPod1, TARGET_PORT, BackendValue.F_LOCAL, 201));
        lab.maps().putMaglevTable(SERVICE, TestServices.table(SECOND));

        assertThat(connect(net, 41001)).as("the table's choice").isEqualTo(net.remotePod2);
        assertThat(remembered(key)).extracting(AffinityValue::backendId, AffinityValue::backendGeneration,
                AffinityValue::serviceGeneration).containsExactly(SECOND, SECOND_GENERATION, SERVICE_GENERATION);
    }

    @ParameterizedTest
    @EnumSource(LabAddresses.class)
    void anEntryWhoseGenerationsStillMatchWinsOverTheTable(LabAddresses net) {
        AffinityKey key = clientOnTheFirstBackend(net);
        AffinityValue before = remembered(key);

        lab.maps().putMaglevTable(SERVICE, TestServices.table(SECOND));

        assertThat(connect(net, 41001)).as("the remembered backend").isEqualTo(net.remotePod1);
        assertThat(remembered(key)).extracting(AffinityValue::backendId, AffinityValue::backendGeneration,
                AffinityValue::serviceGeneration).containsExactly(FIRST, FIRST_GENERATION, SERVICE_GENERATION);
        assertThat(remembered(key).lastUsedNanos()).as("used again").isGreaterThanOrEqualTo(before.lastUsedNanos());
    }
}
