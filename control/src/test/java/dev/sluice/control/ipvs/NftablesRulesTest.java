package dev.sluice.control.ipvs;

import static dev.sluice.control.model.Fixtures.compute;
import static dev.sluice.control.model.Fixtures.endpoint;
import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.ready;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.simple;
import static dev.sluice.control.model.Fixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.control.model.Cidr;
import dev.sluice.ffm.sys.NetworkNamespace;
import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The table renders to what nft accepts: checked ({@code nft -c}) and applied in a namespace of
 * this test's own, never the host's.
 */
class NftablesRulesTest {
    private NetworkNamespace namespace;
    private NftablesFirewall firewall;

    @BeforeEach
    void createNamespace() {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "nft is not installed");
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false), "needs root for a namespace");
        namespace = NetworkNamespace.create("sl-nft" + ProcessHandle.current().pid() % 100000);
        firewall = new NftablesFirewall(List.of("ip", "netns", "exec", namespace.name()), false,
                List.of(Cidr.parse("10.0.0.0/16"), Cidr.parse("fd00:1::/64")));
    }

    @AfterEach
    void deleteNamespace() {
        if (namespace != null) {
            namespace.close();
        }
    }

    private static FirewallPlan plan() {
        Service lb = service("lb", "10.96.0.20").editSpec().withType("LoadBalancer")
                .withPorts(nodePort("http", 80, "TCP", 30080)).withExternalIPs("203.0.113.7")
                .withLoadBalancerSourceRanges("198.51.100.0/24", "192.0.2.0/25")
                .endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("203.0.113.50").endIngress()
                .endLoadBalancer().endStatus().build();
        Service local = service("local", "10.96.0.30").editSpec().withType("NodePort").withExternalTrafficPolicy("Local")
                .withPorts(nodePort("http", 80, "TCP", 30081)).endSpec().build();
        Service v6 = service("v6", "fd00:96::a").editSpec().withIpFamilies("IPv6").endSpec().build();
        return IpvsPlanner.plan(compute(List.of(simple("web", "10.96.0.10"), simple("empty", "10.96.0.11"), lb, local, v6),
                List.of(slice("web", ready("10.0.1.1", "node-a")),
                        slice("empty", endpoint("10.0.1.9", "node-a", false, false, false)),
                        slice("lb", ready("10.0.1.2", "node-b")),
                        slice("local", ready("10.0.1.3", "node-a")),
                        slice("v6-abc", "v6", "IPv6", ready("fd00:1::1", "node-a")).build())).ports().values(), "rr")
                .firewall();
    }

    @Test
    void renderedTableParsesAppliesAndHoldsTheRules() {
        String script = NftablesRules.render(plan(), false, List.of(Cidr.parse("10.0.0.0/16"), Cidr.parse("fd00:1::/64")));
        firewall.check(script);
        firewall.apply(plan());
        firewall.apply(plan());  // replacing the whole table works when it exists

        String listed = namespace.exec("nft", "list", "table", "inet", NftablesRules.TABLE);
        assertThat(listed)
                .contains("10.96.0.11 . tcp . 80")                           // no endpoints: rejected
                .contains("reject with tcp reset")
                .contains("203.0.113.50 . tcp . 80", "192.168.0.10 . tcp . 30080")  // external: masqueraded
                .doesNotContain("192.168.0.10 . tcp . 30081")                // ETP Local NodePort: client address kept
                .contains("ip saddr != { 192.0.2.0/25, 198.51.100.0/24 } drop")
                .contains("10.0.1.1 . tcp . 8080 . 10.0.1.1")                // hairpin
                .contains("fd00:96::a . tcp . 80")
                .contains("masquerade");

        firewall.delete();
        firewall.delete();  // and removing it twice is no error
        assertThat(namespace.exec("nft", "list", "tables")).doesNotContain(NftablesRules.TABLE);
    }

    @Test
    void masqueradeAllAndAnEmptyPlanRenderValidTables() {
        firewall.check(NftablesRules.render(plan(), true, List.of()));
        firewall.check(NftablesRules.render(FirewallPlan.EMPTY, false, List.of()));
    }
}
