package dev.sluice.control.model;

import static dev.sluice.control.model.Fixtures.compute;
import static dev.sluice.control.model.Fixtures.ip;
import static dev.sluice.control.model.Fixtures.nodePort;
import static dev.sluice.control.model.Fixtures.port;
import static dev.sluice.control.model.Fixtures.service;
import static dev.sluice.control.model.Fixtures.simple;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceFrontendsTest {

    private static ServicePort only(DesiredState state) {
        assertThat(state.ports()).hasSize(1);
        return state.ports().values().iterator().next();
    }

    @Test
    void clusterIpServiceHasOneClusterIpFrontendPerPort() {
        Service svc = service("web", "10.96.0.10")
                .editSpec().withPorts(port("http", 80, "TCP"), port("dns", 53, "UDP")).endSpec().build();
        DesiredState state = compute(List.of(svc), List.of());

        assertThat(state.errors()).isEmpty();
        ServicePort http = state.port("ns", "web", "http", IpFamily.IPV4).orElseThrow();
        assertThat(http.frontends()).containsExactly(new Frontend(ip("10.96.0.10"), 80, Protocol.TCP, FrontendKind.CLUSTER_IP));
        assertThat(http.protocol()).isEqualTo(Protocol.TCP);
        ServicePort dns = state.port("ns", "web", "dns", IpFamily.IPV4).orElseThrow();
        assertThat(dns.frontends()).containsExactly(new Frontend(ip("10.96.0.10"), 53, Protocol.UDP, FrontendKind.CLUSTER_IP));
        assertThat(http.affinityTimeoutSeconds()).isZero();
        assertThat(http.externalTrafficLocal()).isFalse();
        assertThat(http.internalTrafficLocal()).isFalse();
        assertThat(http.healthCheckNodePort()).isZero();
        assertThat(http.lastChangeTriggerTime()).isNull();
    }

    @Test
    void unnamedPortUsesEmptyNameAndKubeProxyStyleToString() {
        Service svc = service("web", "10.96.0.10").editSpec().withPorts(port(null, 80, null)).endSpec().build();
        ServicePort port = only(compute(List.of(svc), List.of()));
        assertThat(port.name()).isEqualTo(new ServicePortName("ns", "web", ""));
        assertThat(port.name()).hasToString("ns/web");
        assertThat(port.protocol()).isEqualTo(Protocol.TCP);
        assertThat(new ServicePortName("ns", "web", "http")).hasToString("ns/web:http");
        assertThat(Protocol.SCTP.number()).isEqualTo(132);
    }

    @Test
    void skipsExternalNameHeadlessUnallocatedAndLabelledServices() {
        List<Service> services = List.of(
                service("external", "10.96.0.1").editSpec().withType("ExternalName").withExternalName("example.com").endSpec().build(),
                service("headless", "None").editSpec().withClusterIPs("None").endSpec().build(),
                service("unallocated", null).editSpec().withClusterIPs(List.of()).endSpec().build(),
                service("headless-label", "10.96.0.2").editMetadata().withLabels(Map.of(KubernetesLabels.HEADLESS, "")).endMetadata().build(),
                service("other-proxy", "10.96.0.3").editMetadata().withLabels(Map.of(KubernetesLabels.SERVICE_PROXY_NAME, "cilium")).endMetadata().build(),
                service("our-proxy", "10.96.0.4").editMetadata().withLabels(Map.of(KubernetesLabels.SERVICE_PROXY_NAME, "sluice")).endMetadata().build());
        DesiredState state = compute(services, List.of());

        assertThat(state.errors()).isEmpty();
        assertThat(state.ports().keySet()).extracting(k -> k.name().name()).containsExactly("our-proxy");
    }

    @Test
    void dualStackServiceYieldsOnePortPerFamily() {
        Service svc = service("dual", "10.96.0.10")
                .editSpec()
                .withClusterIPs("10.96.0.10", "fd00:96::10")
                .withIpFamilies("IPv4", "IPv6")
                .withIpFamilyPolicy("RequireDualStack")
                .endSpec().build();
        DesiredState state = compute(List.of(svc), List.of());

        assertThat(state.ports()).hasSize(2);
        assertThat(state.port("ns", "dual", "http", IpFamily.IPV4).orElseThrow().frontends())
                .extracting(Frontend::address).containsExactly(ip("10.96.0.10"));
        ServicePort v6 = state.port("ns", "dual", "http", IpFamily.IPV6).orElseThrow();
        assertThat(v6.frontends()).extracting(Frontend::address).containsExactly(ip("fd00:96::10"));
        assertThat(v6.key()).isEqualTo(new ServicePortKey(new ServicePortName("ns", "dual", "http"), IpFamily.IPV6));
    }

    @Test
    void ipv6PrimaryWithoutIpFamiliesTakesFamilyFromClusterIp() {
        Service svc = service("v6", "fd00:96::1").editSpec().withClusterIPs(List.of()).endSpec().build();
        ServicePort port = only(compute(List.of(svc), List.of()));
        assertThat(port.family()).isEqualTo(IpFamily.IPV6);
    }

    @Test
    void nodePortIsServedOnEveryNodeAddressOfTheFamily() {
        Service svc = service("np", "10.96.0.10")
                .editSpec().withType("NodePort")
                .withClusterIPs("10.96.0.10", "fd00:96::10").withIpFamilies("IPv4", "IPv6")
                .withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build();
        DesiredState state = compute(List.of(svc), List.of());

        assertThat(state.port("ns", "np", "http", IpFamily.IPV4).orElseThrow().frontends(FrontendKind.NODE_PORT))
                .containsExactly(
                        new Frontend(ip("192.168.0.10"), 30080, Protocol.TCP, FrontendKind.NODE_PORT),
                        new Frontend(ip("192.168.0.11"), 30080, Protocol.TCP, FrontendKind.NODE_PORT));
        assertThat(state.port("ns", "np", "http", IpFamily.IPV6).orElseThrow().frontends(FrontendKind.NODE_PORT))
                .containsExactly(new Frontend(ip("fd00::10"), 30080, Protocol.TCP, FrontendKind.NODE_PORT));
    }

    @Test
    void nodePortOnClusterIpServiceIsIgnored() {
        Service svc = service("c", "10.96.0.10").editSpec().withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build();
        assertThat(only(compute(List.of(svc), List.of())).frontends(FrontendKind.NODE_PORT)).isEmpty();
    }

    @Test
    void loadBalancerIngressOfTheFamilyInVipModeOnly() {
        Service svc = service("lb", "10.96.0.10")
                .editSpec().withType("LoadBalancer").withPorts(nodePort("http", 80, "TCP", 30080)).endSpec()
                .withNewStatus().withNewLoadBalancer().withIngress(
                        new LoadBalancerIngressBuilder().withIp("203.0.113.1").build(),
                        new LoadBalancerIngressBuilder().withIp("203.0.113.2").withIpMode("VIP").build(),
                        new LoadBalancerIngressBuilder().withIp("203.0.113.3").withIpMode("Proxy").build(),
                        new LoadBalancerIngressBuilder().withHostname("lb.example.com").build(),
                        new LoadBalancerIngressBuilder().withIp("2001:db8::1").build())
                .endLoadBalancer().endStatus().build();
        ServicePort port = only(compute(List.of(svc), List.of()));

        assertThat(port.frontends(FrontendKind.LOAD_BALANCER)).extracting(Frontend::address)
                .containsExactly(ip("203.0.113.1"), ip("203.0.113.2"));
        assertThat(port.frontends(FrontendKind.LOAD_BALANCER)).allMatch(f -> f.port() == 80);
        assertThat(port.frontends(FrontendKind.NODE_PORT)).hasSize(2);
    }

    @Test
    void externalIpsOfTheFamily() {
        Service svc = service("ext", "10.96.0.10")
                .editSpec().withExternalIPs("198.51.100.7", "2001:db8::7").endSpec().build();
        ServicePort port = only(compute(List.of(svc), List.of()));
        assertThat(port.frontends()).containsExactly(
                new Frontend(ip("10.96.0.10"), 80, Protocol.TCP, FrontendKind.CLUSTER_IP),
                new Frontend(ip("198.51.100.7"), 80, Protocol.TCP, FrontendKind.EXTERNAL_IP));
    }

    @Test
    void sessionAffinityClientIpDefaultsTo10800Seconds() {
        ServicePort defaulted = only(compute(List.of(service("a", "10.96.0.1").editSpec().withSessionAffinity("ClientIP").endSpec().build()), List.of()));
        assertThat(defaulted.affinityTimeoutSeconds()).isEqualTo(10800);

        ServicePort configured = only(compute(List.of(service("a", "10.96.0.1").editSpec().withSessionAffinity("ClientIP")
                .withNewSessionAffinityConfig().withNewClientIP().withTimeoutSeconds(60).endClientIP().endSessionAffinityConfig()
                .endSpec().build()), List.of()));
        assertThat(configured.affinityTimeoutSeconds()).isEqualTo(60);
    }

    @Test
    void externalTrafficPolicyLocalOnLoadBalancerCarriesHealthCheckNodePort() {
        Service svc = service("lb", "10.96.0.10")
                .editSpec().withType("LoadBalancer").withExternalTrafficPolicy("Local").withHealthCheckNodePort(32000)
                .withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build();
        ServicePort port = only(compute(List.of(svc), List.of()));
        assertThat(port.externalTrafficLocal()).isTrue();
        assertThat(port.internalTrafficLocal()).isFalse();
        assertThat(port.healthCheckNodePort()).isEqualTo(32000);
    }

    @Test
    void externalTrafficPolicyLocalNeedsAnExternallyAccessibleService() {
        ServicePort clusterOnly = only(compute(List.of(service("c", "10.96.0.10").editSpec().withExternalTrafficPolicy("Local").endSpec().build()), List.of()));
        assertThat(clusterOnly.externalTrafficLocal()).isFalse();

        ServicePort nodePortNoHealthCheck = only(compute(List.of(service("np", "10.96.0.10").editSpec().withType("NodePort")
                .withExternalTrafficPolicy("Local").withHealthCheckNodePort(32000).withPorts(nodePort("http", 80, "TCP", 30080)).endSpec().build()), List.of()));
        assertThat(nodePortNoHealthCheck.externalTrafficLocal()).isTrue();
        assertThat(nodePortNoHealthCheck.healthCheckNodePort()).isZero();
    }

    @Test
    void internalTrafficPolicyLocal() {
        ServicePort port = only(compute(List.of(service("c", "10.96.0.10").editSpec().withInternalTrafficPolicy("Local").endSpec().build()), List.of()));
        assertThat(port.internalTrafficLocal()).isTrue();
        assertThat(port.externalTrafficLocal()).isFalse();
    }

    @Test
    void loadBalancerSourceRangesAreParsedPerFamily() {
        Service svc = service("lb", "10.96.0.10")
                .editSpec().withType("LoadBalancer")
                .withClusterIPs("10.96.0.10", "fd00:96::10").withIpFamilies("IPv4", "IPv6")
                .withPorts(nodePort("http", 80, "TCP", 30080))
                .withLoadBalancerSourceRanges(" 10.0.0.0/8", "192.168.1.7/24", "2001:db8::/32 ").endSpec().build();
        DesiredState state = compute(List.of(svc), List.of());
        assertThat(state.port("ns", "lb", "http", IpFamily.IPV4).orElseThrow().loadBalancerSourceRanges())
                .containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.1.0/24"));
        assertThat(state.port("ns", "lb", "http", IpFamily.IPV6).orElseThrow().loadBalancerSourceRanges())
                .containsExactly(Cidr.parse("2001:db8::/32"));
    }
}
