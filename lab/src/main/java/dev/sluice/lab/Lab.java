package dev.sluice.lab;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/** A running lab: topology, backends, the manifest or API relay, and one agent per node. Closing removes it all. */
final class Lab implements AutoCloseable {
    static final String PREFIX = "sl-";
    static final Path RUN_DIRECTORY = Path.of("/run/sluice-lab");
    static final int API_RELAY_PORT = 6443;

    private final LabTopology topology;
    private final Backends backends;
    private final Path manifest;
    private final Map<String, LabAgent> agents = new LinkedHashMap<>();
    private ApiRelay relay;

    private Lab(LabTopology topology, Backends backends, Path manifest) {
        this.topology = topology;
        this.backends = backends;
        this.manifest = manifest;
    }

    static Lab start(int podsPerNode, LabDatapath datapath) {
        return start(podsPerNode, LabManifest::objects, datapath);
    }

    /** A lab whose agents start on the manifest {@code objects} makes of its pods. */
    static Lab start(int podsPerNode, Function<List<Pod>, List<HasMetadata>> objects) {
        return start(podsPerNode, objects, LabDatapath.EBPF);
    }

    /** As above, the agents on {@code datapath}. */
    static Lab start(int podsPerNode, Function<List<Pod>, List<HasMetadata>> objects, LabDatapath datapath) {
        return start(podsPerNode, objects, node -> datapath);
    }

    /** As above, each node's agent on the datapath {@code datapathOf} names for it. */
    static Lab start(int podsPerNode, Function<List<Pod>, List<HasMetadata>> objects,
                     Function<String, LabDatapath> datapathOf) {
        Lab lab = startWithoutAgents(podsPerNode, objects, datapathOf);
        try {
            lab.startAgents();
            return lab;
        } catch (RuntimeException failure) {
            lab.close();
            throw failure;
        }
    }

    /**
     * A lab whose nodes have no agent yet (as nodes still run by kube-proxy): {@link #startAgents}
     * starts them on the manifest {@code objects} makes of its pods.
     */
    static Lab startWithoutAgents(int podsPerNode, Function<List<Pod>, List<HasMetadata>> objects) {
        return startWithoutAgents(podsPerNode, objects, LabDatapath.EBPF);
    }

    static Lab startWithoutAgents(int podsPerNode, Function<List<Pod>, List<HasMetadata>> objects,
                                  LabDatapath datapath) {
        return startWithoutAgents(podsPerNode, objects, node -> datapath);
    }

    static Lab startWithoutAgents(int podsPerNode, Function<List<Pod>, List<HasMetadata>> objects,
                                  Function<String, LabDatapath> datapathOf) {
        Path manifest = RUN_DIRECTORY.resolve("manifest.yaml");
        return start(podsPerNode, manifest, lab -> LabManifest.write(manifest, objects.apply(lab.pods())),
                (lab, node) -> new LabAgent(node, lab.topology.nodes().get(node), lab.topology.bpffsRoot(node),
                        manifest, RUN_DIRECTORY.resolve(node + "-agent.log"), datapathOf.apply(node)), false);
    }

    /**
     * A lab whose agents watch the plain-HTTP API server at {@code apiServer} on the host's
     * loopback, through a relay in the client namespace. {@code populate} gets the pods before the
     * agents start, to create the objects they should find.
     */
    static Lab startOnKubernetes(int podsPerNode, InetSocketAddress apiServer, Consumer<List<Pod>> populate) {
        String url = "http://" + LabTopology.CLIENT_ADDRESS + ":" + API_RELAY_PORT;
        return start(podsPerNode, null, lab -> {
            lab.relay = ApiRelay.open(lab.topology.client(), LabTopology.CLIENT_ADDRESS, API_RELAY_PORT, apiServer);
            populate.accept(lab.pods());
        }, (lab, node) -> LabAgent.onKubernetes(node, lab.topology.nodes().get(node), lab.topology.bpffsRoot(node),
                url, RUN_DIRECTORY.resolve(node + "-agent.log")), true);
    }

    private static Lab start(int podsPerNode, Path manifest, Consumer<Lab> prepare,
                             BiFunction<Lab, String, LabAgent> agentFor, boolean startAgents) {
        LabTopology.removeLeftovers(PREFIX, RUN_DIRECTORY);
        LabTopology topology = LabTopology.create(PREFIX, RUN_DIRECTORY, podsPerNode);
        Backends backends = null;
        Lab lab = null;
        try {
            backends = Backends.start(topology.pods());
            lab = new Lab(topology, backends, manifest);
            prepare.accept(lab);
            for (String node : topology.nodes().keySet()) {
                lab.agents.put(node, agentFor.apply(lab, node));
            }
            if (startAgents) {
                lab.startAgents();
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

    /** Starts every node's agent that is not running, side by side, and waits for each one's first sync. */
    void startAgents() {
        List<LabAgent> starting = agents.values().stream().filter(agent -> !agent.running()).toList();
        // The budget of starting them one by one: side by side, they share the CPUs.
        Instant deadline = Instant.now().plus(scaled(Duration.ofSeconds(60)).multipliedBy(Math.max(1, starting.size())));
        starting.forEach(LabAgent::launch);
        starting.forEach(agent -> agent.awaitReady(deadline));
    }

    /**
     * Replaces the manifest and waits until every agent has programmed it: their status names the
     * manifest revision their last sync programmed. A sync's time would not do: a periodic resync
     * of the old content that started before the write can finish after it, which an emulated
     * guest's slow syncs made happen.
     */
    void apply(List<HasMetadata> objects) {
        if (manifest == null) {
            throw new IllegalStateException("this lab's agents watch an API server, not a manifest");
        }
        String revision = LabManifest.write(manifest, objects);
        for (LabAgent agent : agents.values()) {
            agent.awaitRevision(revision, scaled(Duration.ofSeconds(15)));
        }
    }

    /**
     * A wait stretched by SLUICE_LAB_TIME_SCALE: the kernel lab's emulated guests (lab/kernel/suite)
     * run agents several times slower than a real machine, and their waits say so, not the tests.
     */
    static Duration scaled(Duration wait) {
        String scale = System.getenv("SLUICE_LAB_TIME_SCALE");
        if (scale == null || scale.isBlank()) {
            return wait;
        }
        try {
            return wait.multipliedBy(Math.max(1, Integer.parseInt(scale.strip())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SLUICE_LAB_TIME_SCALE must be a whole number, not '" + scale + "'", e);
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
        try {
            agents.values().forEach(LabAgent::close);
            if (relay != null) {
                relay.close();
            }
            backends.close();
        } finally {
            topology.close();
        }
    }
}
