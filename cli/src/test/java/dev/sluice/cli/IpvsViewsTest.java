package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.control.ipvs.OwnedService;
import dev.sluice.control.model.FrontendKind;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsDestinationStats;
import dev.sluice.ffm.ipvs.IpvsForwardMethod;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceFlag;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The IPVS view without a kernel: the join with the state file, and the JSON and table it prints. */
class IpvsViewsTest {
    private static final IpvsServiceKey CLUSTER_IP = new IpvsServiceKey(ip("10.96.0.10"), IpvsProtocol.TCP, 80);
    private static final IpvsServiceKey NODE_PORT = new IpvsServiceKey(ip("192.168.1.5"), IpvsProtocol.TCP, 30080);
    private static final IpvsServiceKey GONE = new IpvsServiceKey(ip("fd00::53"), IpvsProtocol.UDP, 53);
    private static final IpvsServiceKey FOREIGN = new IpvsServiceKey(ip("172.16.0.1"), IpvsProtocol.TCP, 443);

    private static InetAddress ip(String text) {
        return InetAddress.ofLiteral(text);
    }

    private static final List<OwnedService> OWNED = List.of(
            new OwnedService(NODE_PORT, "ns", "web", "http", FrontendKind.NODE_PORT, "rr", 0, true, false),
            new OwnedService(CLUSTER_IP, "ns", "web", "http", FrontendKind.CLUSTER_IP, "rr", 0, true, false),
            new OwnedService(GONE, "kube-system", "dns", "", FrontendKind.CLUSTER_IP, "rr", 0, false, false));

    private static IpvsDestination destination(String address, int weight, long active, long inactive) {
        return new IpvsDestination(ip(address), 8080, IpvsForwardMethod.MASQUERADE, weight, 0, 0,
                Optional.of(new IpvsDestinationStats(active, inactive, 0)));
    }

    private static final List<IpvsTable.Entry> KERNEL = List.of(
            new IpvsTable.Entry(IpvsService.persistent(CLUSTER_IP, "mh", 10800),
                    List.of(destination("10.0.2.2", 0, 1, 2), destination("10.0.1.2", 1, 3, 4))),
            new IpvsTable.Entry(new IpvsService(NODE_PORT, "mh", Set.of(IpvsServiceFlag.SCHED2), 0, 32),
                    List.of(destination("10.0.1.2", 1, 0, 0))),
            new IpvsTable.Entry(IpvsService.of(FOREIGN, "wlc"), List.of(destination("172.16.1.1", 5, 0, 0))));

    @Test
    void onlyRecordedServicesAreShownInFrontendOrderWithKernelSettingsAndNullsForWhatIpvsLacks() {
        List<Views.ServiceEntry> entries = IpvsViews.services(OWNED, KERNEL);
        StringWriter out = new StringWriter();
        Sluice.printJson(new PrintWriter(out), entries.subList(0, 1));

        assertThat(entries).extracting(e -> e.frontend().address() + ":" + e.frontend().port())
                .containsExactly("10.96.0.10:80", "192.168.1.5:30080", "fd00::53:53");
        assertThat(out.toString()).isEqualTo("""
                [
                  {
                    "frontend": {
                      "address": "10.96.0.10",
                      "port": 80,
                      "protocol": "tcp",
                      "family": 4,
                      "kind": 1,
                      "type": "ClusterIP"
                    },
                    "serviceId": null,
                    "service": {
                      "namespace": "ns",
                      "name": "web",
                      "port": "http",
                      "scope": "cluster",
                      "family": 4,
                      "protocol": "tcp",
                      "display": "ns/web:http"
                    },
                    "flags": null,
                    "flagNames": [],
                    "algorithm": "mh",
                    "trafficPolicy": "Cluster",
                    "affinity": {
                      "mode": "ClientIP",
                      "timeoutSeconds": 10800
                    },
                    "sourceRanges": null,
                    "maglevSize": null,
                    "backendCount": 2,
                    "backends": [
                      {
                        "id": null,
                        "address": "10.0.1.2",
                        "port": 8080,
                        "family": 4,
                        "flags": null,
                        "local": null,
                        "terminating": false,
                        "present": true,
                        "slots": null,
                        "weight": 1,
                        "activeConnections": 3,
                        "inactiveConnections": 4
                      },
                      {
                        "id": null,
                        "address": "10.0.2.2",
                        "port": 8080,
                        "family": 4,
                        "flags": null,
                        "local": null,
                        "terminating": true,
                        "present": true,
                        "slots": null,
                        "weight": 0,
                        "activeConnections": 1,
                        "inactiveConnections": 2
                      }
                    ]
                  }
                ]
                """);
    }

    @Test
    void theTableShowsEtpLocalOnTheNodePortWeightsAndARecordedServiceTheKernelLacks() {
        String table = ServicesCommand.table(IpvsViews.services(OWNED, KERNEL), true);
        assertThat(table).contains("ETP=Local mh-port").contains("affinity=ClientIP/10800s")
                .contains("terminating").contains("weight 0, 1 active/2 inactive conns")
                .contains("missing from IPVS").doesNotContain("172.16.0.1");
    }

    @Test
    void backendsGroupEveryUseOfARealServerWithItsWeight() {
        List<Views.BackendEntry> backends = IpvsViews.backends(IpvsViews.services(OWNED, KERNEL));
        assertThat(backends).extracting(Views.BackendEntry::address).containsExactly("10.0.1.2", "10.0.2.2");
        assertThat(backends.getFirst().services()).extracting(u -> u.frontend() + " " + u.weight())
                .containsExactly("10.96.0.10:80/tcp 1", "192.168.1.5:30080/tcp 1");
        assertThat(backends.get(1).services()).extracting(Views.BackendUse::weight).containsExactly(0);
    }

    @Test
    void serviceSelectionByNameAndPortAndAClearErrorForAnId() {
        List<Views.ServiceEntry> entries = IpvsViews.services(OWNED, KERNEL);
        assertThat(IpvsViews.select(entries, "ns/web:80", "f")).hasSize(2);
        assertThat(IpvsViews.select(entries, "kube-system/dns", "f")).hasSize(1);
        assertThatThrownBy(() -> IpvsViews.select(entries, "7", "f")).hasMessageContaining("have no ids");
        assertThatThrownBy(() -> IpvsViews.select(entries, "ns/nope", "/run/x")).hasMessageContaining("no service ns/nope in /run/x");
    }
}
