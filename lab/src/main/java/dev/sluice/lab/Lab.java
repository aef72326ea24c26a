package dev.sluice.lab;

import dev.sluice.control.source.ManifestSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A running lab: topology, backends, the manifest and one agent per node. Closing removes it all. */
final class Lab implements AutoCloseable {
    static final String PREFIX = "sl-";
    static final Path RUN_DIRECTORY = Path.of("/run/sluice-lab");
    private static final Duration MANIFEST_QUIET_PERIOD = ManifestSource.DEFAULT_QUIET_PERIOD;

    private final LabTopology topology;
    private final Backends backends;
    private final Path manifest;
    private final Map<String, LabAgent> agents = new LinkedHashMap<>();

    private Lab(LabTopology topology, Backends backends, Path manifest) {
        this.topology = topology;
        this.backends = backends;
        this.manifest = manifest;
    }

    static Lab start(int podsPerNode) {
        return start(podsPerNode, LabManifest::objects);
    }

    /** A lab whose agents start on the manifest {@code objects} makes of its pods. */
    static Lab start(int podsPerNode, Function<List<Pod>, List<HasMetadata>> objects) {
        LabTopology.removeLeftovers(PREFIX, RUN_DIRECTORY);
        LabTopology topology = LabTopology.create(PREFIX, RUN_DIRECTORY, podsPerNode);
        Backends backends = null;
        Lab lab = null;
        try {
            backends = Backends.start(topology.pods());
            Path manifest = RUN_DIRECTORY.resolve("manifest.yaml");
            LabManifest.write(manifest, objects.apply(topology.pods()));
            lab = new Lab(topology, backends, manifest);
            for (String node : topology.nodes().keySet()) {
                LabAgent agent = new LabAgent(node, topology.nodes().get(node), topology.bpffsRoot(node), manifest,
                        RUN_DIRECTORY.resolve(node + "-agent.log"));
                lab.agents.put(node, agent);
                agent.start(Duration.ofSeconds(60));
            }
            return lab;
        } catch (RuntimeException failure) {
            if (lab != null) {
                lab.close();
            } else {
                if (backends != null) {
                    backends.close();
                }
                topology.close();
            }
            throw failure;
        }
    }

    /**
     * Replaces the manifest and waits until every agent has synced it. The agents' sources coalesce
     * changes for a quiet period, so a sync that ends sooner after the write than that period is a
     * periodic resync of the old content and does not count.
     */
    void apply(List<HasMetadata> objects) {
        Instant written = Instant.now();
        LabManifest.write(manifest, objects);
        Instant earliest = written.plus(MANIFEST_QUIET_PERIOD);
        for (LabAgent agent : agents.values()) {
            agent.awaitSyncAfter(earliest, Duration.ofSeconds(15));
        }
    }

    LabTopology topology() {
        return topology;
    }

    Map<String, LabAgent> agents() {
        return agents;
    }

    Path manifest() {
        return manifest;
    }

    LabClient client() {
        return new LabClient(topology.client());
    }

    LabClient podClient(Pod pod) {
        return new LabClient(pod.namespace());
    }

    List<Pod> pods() {
        return topology.pods();
    }

    @Override
    public void close() {
        agents.values().forEach(LabAgent::close);
        backends.close();
        topology.close();
    }
}
