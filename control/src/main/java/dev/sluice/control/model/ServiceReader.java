package dev.sluice.control.model;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns one Service into per-family port blueprints, following kube-proxy's
 * servicechangetracker.go and serviceport.go. kube-proxy trusts the API server's validation; we
 * also read hand-written manifests, so what the API server would reject is checked here and
 * reported instead of half-programmed.
 */
final class ServiceReader {

    static final int DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
    private static final int MAX_AFFINITY_TIMEOUT_SECONDS = 86400;

    private final Service service;
    private final NodeContext node;
    private final List<ValidationError> errors;
    private final String namespace;
    private final String name;

    private ServiceReader(Service service, NodeContext node, List<ValidationError> errors) {
        this.service = service;
        this.node = node;
        this.errors = errors;
        this.namespace = Objects.requireNonNullElse(service.getMetadata().getNamespace(), "default");
        this.name = service.getMetadata().getName();
    }

    /** The blueprints of a Service, empty when it is skipped; problems go to errors. */
    static List<PortBlueprint> read(Service service, NodeContext node, List<ValidationError> errors) {
        if (service.getMetadata() == null || service.getMetadata().getName() == null || service.getSpec() == null) {
            errors.add(new ValidationError("Service " + KubeObjects.describe(service), "metadata.name", "missing name or spec; service skipped"));
            return List.of();
        }
        return new ServiceReader(service, node, errors).read();
    }

    /** The mirror of kube-proxy's informer label selector plus ShouldSkipService. */
    static boolean ignored(Map<String, String> labels, String proxyName) {
        if (labels == null) {
            return false;
        }
        if (labels.containsKey(KubernetesLabels.HEADLESS)) {
            return true;
        }
        String proxy = labels.get(KubernetesLabels.SERVICE_PROXY_NAME);
        return proxy != null && !proxy.equals(proxyName);
    }

    private List<PortBlueprint> read() {
        ServiceSpec spec = service.getSpec();
        if (ignored(service.getMetadata().getLabels(), node.proxyName())) {
            return List.of();
        }
        String type = spec.getType() == null ? "ClusterIP" : spec.getType();
        switch (type) {
            case "ExternalName":
                return List.of();
            case "ClusterIP", "NodePort", "LoadBalancer":
                break;
            default:
                return fail("spec.type", "unknown type \"" + type + "\"");
        }
        if (!KubeObjects.isServiceIpSet(spec.getClusterIP())
                && (spec.getClusterIPs() == null || spec.getClusterIPs().isEmpty() || !KubeObjects.isServiceIpSet(spec.getClusterIPs().getFirst()))) {
            return List.of(); // headless or not yet allocated: nothing to proxy
        }
        Map<IpFamily, InetAddress> clusterIps = clusterIpsByFamily(spec);
        if (clusterIps == null) {
            return List.of();
        }
        Policies policies = policies(spec, type);
        if (policies == null) {
            return List.of();
        }
        List<Cidr> sourceRanges = sourceRanges(spec);
        if (sourceRanges == null) {
            return List.of();
        }
        List<InetAddress> externalIps = externalIps(spec);
        List<InetAddress> ingressIps = ingressIps();
        List<ValidPort> ports = ports(spec, type);

        List<PortBlueprint> blueprints = new ArrayList<>();
        for (ValidPort port : ports) {
            for (Map.Entry<IpFamily, InetAddress> entry : clusterIps.entrySet()) {
                IpFamily family = entry.getKey();
                List<Frontend> frontends = new ArrayList<>();
                frontends.add(new Frontend(entry.getValue(), port.port, port.protocol, FrontendKind.CLUSTER_IP));
                if (port.nodePort != 0) {
                    for (InetAddress address : node.nodeAddresses()) {
                        if (IpFamily.of(address) == family) {
                            frontends.add(new Frontend(address, port.nodePort, port.protocol, FrontendKind.NODE_PORT));
                        }
                    }
                }
                addOfFamily(frontends, ingressIps, family, port, FrontendKind.LOAD_BALANCER);
                addOfFamily(frontends, externalIps, family, port, FrontendKind.EXTERNAL_IP);
                blueprints.add(new PortBlueprint(
                        new ServicePortName(namespace, name, port.name),
                        family,
                        port.protocol,
                        frontends,
                        policies.externalLocal,
                        policies.internalLocal,
                        policies.affinityTimeout,
                        sourceRanges.stream().filter(c -> c.family() == family).toList(),
                        policies.healthCheckNodePort,
                        port.nodePort));
            }
        }
        return blueprints;
    }

    private static void addOfFamily(List<Frontend> frontends, List<InetAddress> addresses, IpFamily family, ValidPort port, FrontendKind kind) {
        for (InetAddress address : addresses) {
            if (IpFamily.of(address) == family) {
                frontends.add(new Frontend(address, port.port, port.protocol, kind));
            }
        }
    }

    /** kube-proxy's GetClusterIPByFamily for both families; null when the service must be skipped. */
    private Map<IpFamily, InetAddress> clusterIpsByFamily(ServiceSpec spec) {
        List<String> ips = spec.getClusterIPs() == null || spec.getClusterIPs().isEmpty()
                ? List.of(spec.getClusterIP())
                : spec.getClusterIPs();
        String ipsField = spec.getClusterIPs() == null || spec.getClusterIPs().isEmpty() ? "spec.clusterIP" : "spec.clusterIPs";
        List<InetAddress> parsed = new ArrayList<>();
        for (int i = 0; i < ips.size(); i++) {
            try {
                parsed.add(IpAddresses.parse(ips.get(i)));
            } catch (IllegalArgumentException e) {
                fail(ipsField.equals("spec.clusterIP") ? ipsField : ipsField + "[" + i + "]", e.getMessage());
                return null;
            }
        }
        if (KubeObjects.isServiceIpSet(spec.getClusterIP()) && ipsField.equals("spec.clusterIPs")) {
            try {
                if (!IpAddresses.parse(spec.getClusterIP()).equals(parsed.getFirst())) {
                    fail("spec.clusterIP", "must equal spec.clusterIPs[0]");
                    return null;
                }
            } catch (IllegalArgumentException e) {
                fail("spec.clusterIP", e.getMessage());
                return null;
            }
        }
        List<String> families = spec.getIpFamilies() == null ? List.of() : spec.getIpFamilies();
        if (parsed.size() > 2 || families.size() > 2) {
            fail("spec.ipFamilies", "at most one address per family");
            return null;
        }
        Map<IpFamily, InetAddress> byFamily = new EnumMap<>(IpFamily.class);
        for (int i = 0; i < parsed.size(); i++) {
            IpFamily actual = IpFamily.of(parsed.get(i));
            if (i < families.size()) {
                IpFamily declared = IpFamily.fromKubernetes(families.get(i)).orElse(null);
                if (declared == null) {
                    fail("spec.ipFamilies[" + i + "]", "unknown family \"" + families.get(i) + "\"");
                    return null;
                }
                if (declared != actual) {
                    fail(ipsField + (ipsField.equals("spec.clusterIP") ? "" : "[" + i + "]"),
                            parsed.get(i).getHostAddress() + " is not " + declared.kubernetesName() + " as spec.ipFamilies[" + i + "] says");
                    return null;
                }
            } else if (!families.isEmpty()) {
                continue; // kube-proxy only reads clusterIPs that have a declared family
            }
            if (byFamily.putIfAbsent(actual, parsed.get(i)) != null) {
                fail(ipsField, "two " + actual.kubernetesName() + " cluster IPs");
                return null;
            }
        }
        return byFamily;
    }

    private record Policies(boolean externalLocal, boolean internalLocal, int affinityTimeout, int healthCheckNodePort) {}

    private Policies policies(ServiceSpec spec, String type) {
        String etp = Objects.requireNonNullElse(spec.getExternalTrafficPolicy(), "Cluster");
        if (!etp.equals("Cluster") && !etp.equals("Local")) {
            fail("spec.externalTrafficPolicy", "unknown policy \"" + etp + "\"");
            return null;
        }
        String itp = Objects.requireNonNullElse(spec.getInternalTrafficPolicy(), "Cluster");
        if (!itp.equals("Cluster") && !itp.equals("Local")) {
            fail("spec.internalTrafficPolicy", "unknown policy \"" + itp + "\"");
            return null;
        }
        // apiservice.ExternallyAccessible / ExternalPolicyLocal / NeedsHealthCheck
        boolean externallyAccessible = type.equals("LoadBalancer") || type.equals("NodePort")
                || (type.equals("ClusterIP") && spec.getExternalIPs() != null && !spec.getExternalIPs().isEmpty());
        boolean externalLocal = externallyAccessible && etp.equals("Local");
        boolean internalLocal = itp.equals("Local");

        String affinity = Objects.requireNonNullElse(spec.getSessionAffinity(), "None");
        int affinityTimeout;
        switch (affinity) {
            case "None" -> affinityTimeout = 0;
            case "ClientIP" -> {
                Integer configured = spec.getSessionAffinityConfig() == null || spec.getSessionAffinityConfig().getClientIP() == null
                        ? null
                        : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
                // The API server defaults it; manifests may omit it.
                affinityTimeout = configured == null ? DEFAULT_AFFINITY_TIMEOUT_SECONDS : configured;
                if (affinityTimeout < 1 || affinityTimeout > MAX_AFFINITY_TIMEOUT_SECONDS) {
                    fail("spec.sessionAffinityConfig.clientIP.timeoutSeconds", "must be between 1 and " + MAX_AFFINITY_TIMEOUT_SECONDS + ", got " + affinityTimeout);
                    return null;
                }
            }
            default -> {
                fail("spec.sessionAffinity", "unknown session affinity \"" + affinity + "\"");
                return null;
            }
        }

        int healthCheckNodePort = 0;
        if (type.equals("LoadBalancer") && externalLocal) {
            Integer port = spec.getHealthCheckNodePort();
            if (port == null || port == 0) {
                // kube-proxy logs this and carries on without health checks.
                error("spec.healthCheckNodePort", "missing although externalTrafficPolicy is Local; no health check served");
            } else if (port < 1 || port > 65535) {
                error("spec.healthCheckNodePort", "must be between 1 and 65535, got " + port + "; no health check served");
            } else {
                healthCheckNodePort = port;
            }
        }
        return new Policies(externalLocal, internalLocal, affinityTimeout, healthCheckNodePort);
    }

    /**
     * kube-proxy drops unparsable ranges and keeps the rest, which opens a LoadBalancer to everyone
     * when all of them are bad. We skip the service instead: an access restriction we cannot read
     * must not turn into no restriction.
     */
    private List<Cidr> sourceRanges(ServiceSpec spec) {
        List<String> ranges = spec.getLoadBalancerSourceRanges() == null ? List.of() : spec.getLoadBalancerSourceRanges();
        List<Cidr> parsed = new ArrayList<>(ranges.size());
        for (int i = 0; i < ranges.size(); i++) {
            try {
                parsed.add(Cidr.parse(ranges.get(i)));
            } catch (IllegalArgumentException e) {
                fail("spec.loadBalancerSourceRanges[" + i + "]", e.getMessage());
                return null;
            }
        }
        return parsed;
    }

    /** Like kube-proxy's MapIPsByIPFamily: a bad external IP is dropped, the service stays. */
    private List<InetAddress> externalIps(ServiceSpec spec) {
        List<String> ips = spec.getExternalIPs() == null ? List.of() : spec.getExternalIPs();
        List<InetAddress> parsed = new ArrayList<>(ips.size());
        for (int i = 0; i < ips.size(); i++) {
            try {
                parsed.add(IpAddresses.parse(ips.get(i)));
            } catch (IllegalArgumentException e) {
                error("spec.externalIPs[" + i + "]", e.getMessage() + "; address ignored");
            }
        }
        return parsed;
    }

    /** Ingress IPs in VIP mode; proxy-mode load balancers deliver to nodes, not to the IP. */
    private List<InetAddress> ingressIps() {
        if (service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        List<LoadBalancerIngress> ingresses = service.getStatus().getLoadBalancer().getIngress();
        List<InetAddress> parsed = new ArrayList<>();
        for (int i = 0; i < ingresses.size(); i++) {
            LoadBalancerIngress ingress = ingresses.get(i);
            if (ingress == null || ingress.getIp() == null || ingress.getIp().isEmpty()) {
                continue; // hostname-only ingress
            }
            if (ingress.getIpMode() != null && !ingress.getIpMode().equals("VIP")) {
                continue; // proxyutil.IsVIPMode
            }
            try {
                parsed.add(IpAddresses.parse(ingress.getIp()));
            } catch (IllegalArgumentException e) {
                error("status.loadBalancer.ingress[" + i + "].ip", e.getMessage() + "; address ignored");
            }
        }
        return parsed;
    }

    private record ValidPort(String name, int port, Protocol protocol, int nodePort) {}

    /** Bad ports are dropped one by one: the service's other ports stay usable. */
    private List<ValidPort> ports(ServiceSpec spec, String type) {
        List<io.fabric8.kubernetes.api.model.ServicePort> ports = spec.getPorts() == null ? List.of() : spec.getPorts();
        List<ValidPort> valid = new ArrayList<>(ports.size());
        Set<String> names = new HashSet<>();
        Set<String> portProtocols = new HashSet<>();
        Set<String> nodePortProtocols = new HashSet<>();
        boolean nodePortsAllowed = type.equals("NodePort") || type.equals("LoadBalancer");
        for (int i = 0; i < ports.size(); i++) {
            io.fabric8.kubernetes.api.model.ServicePort port = ports.get(i);
            String field = "spec.ports[" + i + "]";
            if (port == null) {
                error(field, "null port; port ignored");
                continue;
            }
            String protocolName = Objects.requireNonNullElse(port.getProtocol(), "TCP");
            Protocol protocol = Protocol.fromKubernetes(protocolName).orElse(null);
            if (protocol == null) {
                error(field + ".protocol", "unknown protocol \"" + protocolName + "\"; port ignored");
                continue;
            }
            Integer number = port.getPort();
            if (number == null || number < 1 || number > 65535) {
                error(field + ".port", "must be between 1 and 65535, got " + number + "; port ignored");
                continue;
            }
            Integer nodePort = port.getNodePort();
            if (nodePort != null && (nodePort < 0 || nodePort > 65535)) {
                error(field + ".nodePort", "must be between 1 and 65535, got " + nodePort + "; port ignored");
                continue;
            }
            int usedNodePort = nodePortsAllowed && nodePort != null ? nodePort : 0;
            String portName = Objects.requireNonNullElse(port.getName(), "");
            if (!names.add(portName)) {
                error(field + ".name", "duplicate port name \"" + portName + "\"; port ignored");
                continue;
            }
            if (!portProtocols.add(number + "/" + protocol)) {
                error(field + ".port", "duplicate port " + number + "/" + protocol + "; port ignored");
                continue;
            }
            if (usedNodePort != 0 && !nodePortProtocols.add(usedNodePort + "/" + protocol)) {
                error(field + ".nodePort", "duplicate node port " + usedNodePort + "/" + protocol + "; port ignored");
                continue;
            }
            valid.add(new ValidPort(portName, number, protocol, usedNodePort));
        }
        return valid;
    }

    private List<PortBlueprint> fail(String field, String message) {
        error(field, message + "; service skipped");
        return List.of();
    }

    private void error(String field, String message) {
        errors.add(ValidationError.service(namespace, name, field, message));
    }
}
