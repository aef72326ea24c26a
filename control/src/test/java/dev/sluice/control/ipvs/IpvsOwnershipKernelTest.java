package dev.sluice.control.ipvs;

import static dev.sluice.control.model.Fixtures.ip;
import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.model.NodeContext;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.control.model.ServicePort;
import dev.sluice.control.sync.SyncResult;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.IpvsKernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NodePort leak on a real kernel: a NodePort virtual service is on a node address, not on the
 * dummy link, so only the state file says it is sluice's. A restarted agent whose plan no longer
 * has it deletes it, and {@code --cleanup} removes it; a service sluice never recorded, even on
 * the same node address, stays both times.
 */
@IpvsKernelTest
class IpvsOwnershipKernelTest {
    private static final String NODE_ADDRESS = "192.168.50.1";
    private static final IpvsServiceKey NODE_PORT = new IpvsServiceKey(ip(NODE_ADDRESS), IpvsProtocol.TCP, 30080);
    private static final IpvsServiceKey FOREIGN = new IpvsServiceKey(ip(NODE_ADDRESS), IpvsProtocol.TCP, 30081);

    @TempDir
    Path runDir;

    private NetworkNamespace node;
    private NetlinkIpvsKernel kernel;

    @BeforeEach
    void open() {
        node = ScratchNamespace.create("ipvs-owned");
        kernel = node.call(() -> NetlinkIpvsKernel.open(NetlinkIpvsKernel.DUMMY));
        kernel.addService(IpvsService.of(FOREIGN, "rr"));
    }

    @AfterEach
    void close() {
        kernel.close();
        node.close();
    }

    @Test
    void aRestartedAgentDeletesTheRecordedNodePortOfAGoneServiceAndLeavesTheForeignOne() {
        IpvsStateFile state = IpvsStateFile.in(runDir);
        SyncResult first = new IpvsReconciler(kernel, IpvsFirewall.NONE, "rr", state).sync(ports(true));
        assertThat(first.errors()).isEmpty();
        assertThat(keys()).contains(NODE_PORT, FOREIGN);

        // The agent stops; the NodePort Service is deleted meanwhile; a new agent starts.
        SyncResult restarted = new IpvsReconciler(kernel, IpvsFirewall.NONE, "rr", state).sync(ports(false));

        assertThat(restarted.errors()).isEmpty();
        assertThat(keys()).doesNotContain(NODE_PORT).contains(FOREIGN)
                .contains(new IpvsServiceKey(ip("10.96.0.20"), IpvsProtocol.TCP, 80));
        assertThat(state.read()).extracting(OwnedService::key)
                .containsExactly(new IpvsServiceKey(ip("10.96.0.20"), IpvsProtocol.TCP, 80));
    }

    @Test
    void cleanupRemovesExactlyWhatIsRecordedOrOnTheDummyAndTheFile() {
        IpvsStateFile state = IpvsStateFile.in(runDir);
        SyncResult first = new IpvsReconciler(kernel, IpvsFirewall.NONE, "rr", state).sync(ports(true));
        assertThat(first.errors()).isEmpty();

        List<String> failures = node.call(() -> IpvsCleanup.run(NetlinkIpvsKernel.DUMMY, state,
                List.of("ip", "netns", "exec", node.name()), true));

        assertThat(failures).isEmpty();
        assertThat(keys()).containsExactly(FOREIGN);
        assertThat(state.exists()).isFalse();
    }

    private List<IpvsServiceKey> keys() {
        return kernel.services().stream().map(IpvsService::key).toList();
    }

    /** A ClusterIP service "other", and with {@code web} a NodePort service "web" too. */
    private static Collection<ServicePort> ports(boolean web) {
        Service other = simple("other", "10.96.0.20");
        List<Service> services = web ? List.of(other, service("web", "10.96.0.10").editSpec().withType("NodePort")
                .withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build()) : List.of(other);
        NodeContext here = new NodeContext("node-a", "zone-a", List.of(ip(NODE_ADDRESS)), "sluice");
        return ProxySemantics.compute(services, List.of(slice("web", ready("10.0.1.2", "node-a")),
                slice("other", ready("10.0.2.2", "node-a"))), here).ports().values();
    }
}
