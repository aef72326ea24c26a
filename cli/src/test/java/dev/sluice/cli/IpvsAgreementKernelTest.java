package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.control.ipvs.IpvsFirewall;
import dev.sluice.control.ipvs.IpvsReconciler;
import dev.sluice.control.ipvs.IpvsStateFile;
import dev.sluice.control.ipvs.NetlinkIpvsKernel;
import dev.sluice.control.model.Endpoint;
import dev.sluice.control.model.Frontend;
import dev.sluice.control.model.FrontendKind;
import dev.sluice.control.model.IpFamily;
import dev.sluice.control.model.Protocol;
import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortName;
import dev.sluice.control.sync.SyncResult;
import dev.sluice.ffm.sys.Command;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.IpvsKernelTest;
import dev.sluice.ffm.testing.KernelRequirements;
import dev.sluice.ffm.testing.ScratchNamespace;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 on a real kernel (the lab's 6.1 guest): the agent's IPVS reconciler programs several
 * services (IPv4 and IPv6, TCP and UDP, ClusterIP and NodePort, ClientIP affinity, a terminating
 * endpoint at weight 0) in a scratch namespace, and {@code sluice services -o json} run there
 * agrees with {@code ipvsadm -Ln} on every virtual service and real server.
 */
@IpvsKernelTest
class IpvsAgreementKernelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private String scheduler;

    @TempDir
    Path runDir;

    private NetworkNamespace node;
    private NetlinkIpvsKernel kernel;

    @BeforeEach
    void programServices() {
        if (Command.execute("ipvsadm", "--version").exitCode() != 0) {
            String message = "the ipvsadm oracle is not installed (bin/setup installs it)";
            if (KernelRequirements.runningInCi()) {
                throw new IllegalStateException(message + " (CI=true: failing instead of skipping)");
            }
            Assumptions.abort(message);
        }
        node = ScratchNamespace.create("ipvs-cli");
        kernel = node.call(() -> NetlinkIpvsKernel.open(NetlinkIpvsKernel.DUMMY));
        scheduler = kernel.schedulerAvailable("mh") ? "mh" : "rr";
        IpvsReconciler reconciler = new IpvsReconciler(kernel, IpvsFirewall.NONE, scheduler,
                IpvsStateFile.in(runDir));
        SyncResult result = node.call(() -> reconciler.sync(ports()));
        assertThat(result.errors()).isEmpty();
        assertThat(result.services()).isEqualTo(6);
    }

    @AfterEach
    void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void servicesJsonAgreesWithIpvsadmOnEveryVirtualServiceAndRealServer() throws Exception {
        CliRun run = node.call(() -> CliRun.of(Map.of("SLUICE_IPVS_RUN_DIR", runDir.toString(),
                "SLUICE_BPFFS_ROOT", runDir.resolve("no-bpffs").toString()), "services", "-o", "json"));
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        JsonNode entries = JSON.readTree(run.out());

        Map<IpvsAdm.Service, Set<IpvsAdm.Real>> fromCli = new LinkedHashMap<>();
        for (JsonNode entry : entries) {
            JsonNode frontend = entry.get("frontend");
            JsonNode affinity = entry.get("affinity");
            Set<IpvsAdm.Real> reals = new TreeSet<>();
            for (JsonNode backend : entry.get("backends")) {
                reals.add(new IpvsAdm.Real(InetAddress.ofLiteral(backend.get("address").asText()),
                        backend.get("port").asInt(), backend.get("weight").asInt()));
                assertThat(backend.get("terminating").asBoolean()).isEqualTo(backend.get("weight").asInt() == 0);
            }
            fromCli.put(new IpvsAdm.Service(frontend.get("protocol").asText(),
                    InetAddress.ofLiteral(frontend.get("address").asText()), frontend.get("port").asInt(),
                    entry.get("algorithm").asText(), JSON.convertValue(entry.get("flagNames"), STRINGS),
                    affinity.isNull() ? 0 : affinity.get("timeoutSeconds").asInt()),
                    reals);
        }
        Map<IpvsAdm.Service, Set<IpvsAdm.Real>> fromIpvsadm = IpvsAdm.parse(node.exec("ipvsadm", "-Ln"));

        assertThat(fromCli).isEqualTo(fromIpvsadm);
        // What was compared is what this test meant to cover, not an empty or partial table.
        assertThat(fromCli).hasSize(6);
        assertThat(fromCli.keySet()).anyMatch(s -> s.address().getAddress().length == 16 && s.protocol().equals("udp"))
                .anyMatch(s -> s.persistenceTimeout() == 10800)
                .anyMatch(s -> s.port() == 30443 && s.persistenceTimeout() == 60);
        assertThat(fromCli.values()).anyMatch(reals -> reals.stream().anyMatch(r -> r.weight() == 0));
        if (scheduler.equals("mh")) {
            assertThat(fromCli.keySet()).as("services without affinity hash the client port (mh-port)")
                    .anyMatch(s -> s.schedulerFlags().equals(List.of("mh-port")));
        }

        // The state file's side of the join: names and Service types.
        Map<String, String> kinds = new LinkedHashMap<>();
        for (JsonNode entry : entries) {
            JsonNode f = entry.get("frontend");
            kinds.put(f.get("protocol").asText() + " " + f.get("address").asText() + ":" + f.get("port").asInt(),
                    entry.get("service").get("display").asText() + " " + f.get("type").asText());
        }
        assertThat(kinds).containsEntry("tcp 192.168.60.1:30080", "ns/web:http NodePort")
                .containsEntry("tcp fd00:96::10:443", "ns/web6:https ClusterIP")
                .containsEntry("udp fd00:96::53:53", "kube-system/dns6:dns ClusterIP");
    }

    @Test
    void theTableAndBackendsReadTheSameKernelState() {
        Map<String, String> environment = Map.of("SLUICE_IPVS_RUN_DIR", runDir.toString());
        CliRun table = node.call(() -> CliRun.of(environment, "services"));
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("192.168.60.1:30080/tcp").contains("NodePort").contains("ns/web:http")
                .contains("10.0.2.2:8080").contains("terminating").contains("weight 0")
                .contains("affinity=ClientIP/10800s");

        CliRun backends = node.call(() -> CliRun.of(environment, "backends", "-o", "json"));
        assertThat(backends.exitCode()).as(backends.err()).isZero();
        assertThat(backends.out()).contains("\"frontend\": \"192.168.60.1:30080/tcp\"");

        CliRun maglev = node.call(() -> CliRun.of(environment, "maglev", "1"));
        assertThat(maglev.exitCode()).isEqualTo(ExitCodes.NO_MAPS);
        assertThat(maglev.err()).contains("IPVS datapath");
    }

    /** Two services per family, TCP and UDP; web has a NodePort and a terminating endpoint, dns affinity. */
    private static List<ServicePort> ports() {
        return List.of(
                port("ns", "web", "http", IpFamily.IPV4, Protocol.TCP, 0,
                        List.of(frontend("10.96.0.10", 80, Protocol.TCP, FrontendKind.CLUSTER_IP),
                                frontend("192.168.60.1", 30080, Protocol.TCP, FrontendKind.NODE_PORT)),
                        List.of(endpoint("10.0.1.2", 8080, false), endpoint("10.0.2.2", 8080, true))),
                port("kube-system", "dns", "dns", IpFamily.IPV4, Protocol.UDP, 10800,
                        List.of(frontend("10.96.0.53", 53, Protocol.UDP, FrontendKind.CLUSTER_IP)),
                        List.of(endpoint("10.0.3.2", 5353, false), endpoint("10.0.3.3", 5353, false))),
                port("ns", "web6", "https", IpFamily.IPV6, Protocol.TCP, 60,
                        List.of(frontend("fd00:96::10", 443, Protocol.TCP, FrontendKind.CLUSTER_IP),
                                frontend("fd00:60::1", 30443, Protocol.TCP, FrontendKind.NODE_PORT)),
                        List.of(endpoint("fd00:1::2", 8443, false), endpoint("fd00:1::3", 8443, true))),
                port("kube-system", "dns6", "dns", IpFamily.IPV6, Protocol.UDP, 0,
                        List.of(frontend("fd00:96::53", 53, Protocol.UDP, FrontendKind.CLUSTER_IP)),
                        List.of(endpoint("fd00:3::2", 53, false))));
    }

    private static ServicePort port(String namespace, String name, String portName, IpFamily family,
                                    Protocol protocol, int affinity, List<Frontend> frontends,
                                    List<Endpoint> endpoints) {
        List<Endpoint> serving = endpoints.stream().filter(Endpoint::ready).toList();
        return new ServicePort(new ServicePortName(namespace, name, portName), family, protocol, frontends, false,
                false, affinity, List.of(), 0, endpoints, serving, List.of(), null, null);
    }

    private static Frontend frontend(String address, int port, Protocol protocol, FrontendKind kind) {
        return new Frontend(InetAddress.ofLiteral(address), port, protocol, kind);
    }

    /** A ready endpoint, or a terminating one (which the planner keeps at weight 0). */
    private static Endpoint endpoint(String address, int port, boolean terminating) {
        return new Endpoint(InetAddress.ofLiteral(address), port, !terminating, true, terminating, "node-a", null,
                true);
    }
}
