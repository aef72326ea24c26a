package dev.sluice.lab;

import dev.sluice.control.source.ManifestSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The standalone manifest the lab's agents read: Kubernetes Services and EndpointSlices for the
 * lab's pods, written as a real cluster would hold them.
 */
final class LabManifest {
    static final String WEB_CLUSTER_IP = "198.18.100.10";
    static final int WEB_PORT = 80;
    static final int WEB_NODE_PORT = 30080;
    static final String ECHO_CLUSTER_IP = "198.18.100.53";
    static final int ECHO_PORT = 53;
    static final int ECHO_NODE_PORT = 30053;
    static final String PAYLOAD_CLUSTER_IP = "198.18.100.90";
    static final int PAYLOAD_NODE_PORT = 30090;

    private LabManifest() {
    }

    static List<HasMetadata> objects(List<Pod> pods) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(service("web", WEB_CLUSTER_IP, "http", WEB_PORT, "TCP", Backends.HTTP_PORT, WEB_NODE_PORT));
        objects.add(slice("web", pods, "http", Backends.HTTP_PORT, "TCP"));
        objects.add(service("echo", ECHO_CLUSTER_IP, "dns", ECHO_PORT, "UDP", Backends.UDP_PORT, ECHO_NODE_PORT));
        objects.add(slice("echo", pods, "dns", Backends.UDP_PORT, "UDP"));
        objects.add(service("payload", PAYLOAD_CLUSTER_IP, "payload", PayloadServer.PORT, "TCP", PayloadServer.PORT,
                PAYLOAD_NODE_PORT));
        objects.add(slice("payload", pods, "payload", PayloadServer.PORT, "TCP"));
        return objects;
    }

    /** Replaces the manifest atomically and returns its revision, as the agents' status will name it once synced. */
    static String write(Path file, List<HasMetadata> objects) {
        String yaml = objects.stream().map(Serialization::asYaml).collect(Collectors.joining());
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, yaml);
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return ManifestSource.revisionOf(yaml.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write lab manifest " + file, e);
        }
    }

    private static HasMetadata service(String name, String clusterIp, String portName, int port, String protocol,
                                       int targetPort, int nodePort) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withType("NodePort").withClusterIP(clusterIp).withClusterIPs(clusterIp)
                .withPorts(new ServicePortBuilder().withName(portName).withPort(port).withProtocol(protocol)
                        .withTargetPort(new IntOrString(targetPort)).withNodePort(nodePort).build())
                .endSpec().build();
    }

    static HasMetadata slice(String service, List<Pod> pods, String portName, int port, String protocol) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("default").withName(service + "-lab")
                .withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata()
                .withAddressType("IPv4")
                .withPorts(new EndpointPortBuilder().withName(portName).withPort(port).withProtocol(protocol).build())
                .withEndpoints(pods.stream().map(pod -> new EndpointBuilder().withAddresses(pod.address())
                        .withNodeName(pod.node()).withNewTargetRef().withKind("Pod").withName(pod.name()).endTargetRef()
                        .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                        .build()).toList())
                .build();
    }
}
