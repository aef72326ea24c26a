package dev.sluice.control.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** deploy/ as `kubectl apply -k deploy/` would take it: every field known, every flag the agent's. */
class DeployManifestsTest {
    static final Path DEPLOY = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** kustomize's file, strictly: an unknown key is a typo kustomize would reject. */
    record Kustomization(String apiVersion, String kind, String namespace, List<Map<String, Object>> labels,
                         List<String> resources) {
    }

    static List<Path> manifests() throws IOException {
        try (Stream<Path> files = Files.list(DEPLOY)) {
            return files.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        }
    }

    static <T extends HasMetadata> T load(String file, Class<T> type) throws IOException {
        return type.cast(SERIALIZATION.unmarshal(Files.readString(DEPLOY.resolve(file))));
    }

    @Test
    void theKustomizationListsEveryManifestAndPutsThemInKubeSystem() throws IOException {
        Kustomization kustomization = new YAMLMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(DEPLOY.resolve("kustomization.yaml").toFile(), Kustomization.class);

        assertThat(kustomization.apiVersion()).isEqualTo("kustomize.config.k8s.io/v1beta1");
        assertThat(kustomization.namespace()).isEqualTo("kube-system");
        assertThat(kustomization.resources()).containsExactlyInAnyOrderElementsOf(
                manifests().stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void everyManifestParsesWithNoFieldFabric8DoesNotKnow() throws IOException {
        for (Path manifest : manifests()) {
            Object parsed = SERIALIZATION.unmarshal(Files.readString(manifest));
            assertThat(parsed).as(manifest.toString()).isInstanceOf(HasMetadata.class);
            HasMetadata object = (HasMetadata) parsed;
            assertThat(StrictModel.unknownFields(object)).as(manifest + ": unknown fields").isEmpty();
            if (object instanceof io.fabric8.kubernetes.api.model.Namespaced) {
                assertThat(object.getMetadata().getNamespace()).as(manifest.toString()).isEqualTo("kube-system");
            }
        }
    }

    @Test
    void theStrictnessCheckCatchesATypo() throws IOException {
        String typo = Files.readString(DEPLOY.resolve("daemonset.yaml")).replace("hostNetwork: true", "hostNetwrok: true");
        assertThat(StrictModel.unknownFields(SERIALIZATION.unmarshal(typo)))
                .containsExactly("spec.template.spec.hostNetwrok");
    }

    @Test
    void theDaemonSetRunsOnEveryNodeAsANodeCriticalHostNetworkAgent() throws IOException {
        DaemonSet daemonSet = load("daemonset.yaml", DaemonSet.class);
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();

        assertThat(daemonSet.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getServiceAccountName()).isEqualTo("sluice");
        assertThat(pod.getTolerations()).extracting(Toleration::getOperator).containsExactly("Exists");
        assertThat(pod.getTolerations().getFirst().getKey()).isNull();

        Container agent = pod.getContainers().getFirst();
        EnvVar nodeName = agent.getEnv().stream().filter(e -> e.getName().equals("NODE_NAME")).findFirst().orElseThrow();
        assertThat(nodeName.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
        assertThat(agent.getSecurityContext().getPrivileged()).isFalse();
        assertThat(agent.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(agent.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(agent.getSecurityContext().getCapabilities().getAdd()).containsExactlyInAnyOrder("BPF", "NET_ADMIN", "PERFMON");
        assertThat(agent.getVolumeMounts()).filteredOn(m -> m.getMountPath().equals("/sys/fs/bpf"))
                .extracting(VolumeMount::getMountPropagation).containsExactly("HostToContainer");

        // Only the init container that mounts for the host is privileged, and it mounts only.
        Container prepare = pod.getInitContainers().stream().filter(c -> c.getArgs().contains("--prepare-node")).findFirst().orElseThrow();
        assertThat(prepare.getSecurityContext().getPrivileged()).isTrue();
        assertThat(prepare.getVolumeMounts()).extracting(VolumeMount::getMountPropagation).containsOnly("Bidirectional", null);
        assertThat(pod.getInitContainers()).filteredOn(c -> c != prepare)
                .allSatisfy(c -> assertThat(c.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE));
    }

    @Test
    void everyContainersArgumentsAreFlagsTheAgentTakes() throws IOException {
        PodSpec pod = load("daemonset.yaml", DaemonSet.class).getSpec().getTemplate().getSpec();
        for (Container container : Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList()) {
            // The kubelet expands $(VAR) from the container's env before the agent sees it.
            String[] args = container.getArgs().stream().map(a -> a.replace("$(NODE_NAME)", "node-a")).toArray(String[]::new);
            SluiceAgent agent = new SluiceAgent();
            new CommandLine(agent).parseArgs(args);
            assertThat(agent.options).as(container.getName()).isNotNull();
        }
    }

    @Test
    void theConfigMapsKubeProxyConfigurationIsAccepted() throws IOException {
        ConfigMap configMap = load("configmap.yaml", ConfigMap.class);
        Path config = Files.createTempFile("config", ".conf");
        try {
            Files.writeString(config, configMap.getData().get("config.conf"));
            SluiceAgent agent = new SluiceAgent();
            new CommandLine(agent).parseArgs();
            KubeProxyConfigFile.Outcome outcome = KubeProxyConfigFile.apply(config, agent.options, flag -> false);
            assertThat(outcome.unknown()).isEmpty();
            assertThat(outcome.ignored()).isEmpty();
        } finally {
            Files.delete(config);
        }
        // Every key the DaemonSet reads from it exists.
        DaemonSet daemonSet = load("daemonset.yaml", DaemonSet.class);
        List<String> keys = daemonSet.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null)
                .map(e -> e.getValueFrom().getConfigMapKeyRef().getKey()).collect(Collectors.toList());
        assertThat(configMap.getData().keySet()).containsAll(keys);
    }
}
