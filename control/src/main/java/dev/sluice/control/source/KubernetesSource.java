package dev.sluice.control.source;

import dev.sluice.control.model.KubernetesLabels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services and EndpointSlices of all namespaces plus this node's Node, from the API server
 * through fabric8 informers. The first snapshot comes once every informer has synced, so the
 * datapath never sees a half-listed cluster. Until then, and whenever a watch is lost, problems()
 * says what is wrong with the API server (ApiServerReachability).
 */
public final class KubernetesSource implements ClusterSource {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesSource.class);
    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMillis(100);

    private final KubernetesClient client;
    private final String nodeName;
    private final Duration quietPeriod;
    /** Read by reachability's thread too. */
    private final List<SharedIndexInformer<? extends HasMetadata>> informers = new CopyOnWriteArrayList<>();

    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private SharedIndexInformer<Node> node;
    private Coalescer coalescer;
    private volatile ApiServerReachability reachability;
    private volatile boolean synced;
    private volatile boolean closing;

    /**
     * @param nodeName this node's name; null to not watch any Node
     * @param quietPeriod how long changes must pause before a snapshot is emitted
     */
    public KubernetesSource(KubernetesClient client, String nodeName, Duration quietPeriod) {
        this.client = Objects.requireNonNull(client, "client");
        this.nodeName = nodeName;
        this.quietPeriod = Objects.requireNonNull(quietPeriod, "quietPeriod");
    }

    public KubernetesSource(KubernetesClient client, String nodeName) {
        this(client, nodeName, DEFAULT_QUIET_PERIOD);
    }

    @Override
    public synchronized void start(Consumer<ClusterSnapshot> onChange) {
        Objects.requireNonNull(onChange, "onChange");
        if (coalescer != null) {
            throw new IllegalStateException("already started");
        }
        coalescer = new Coalescer("kubernetes-source", quietPeriod, quietPeriod.multipliedBy(10).plusSeconds(1),
                () -> onChange.accept(snapshot()));
        reachability = new ApiServerReachability(client.getConfiguration(), this::notWatching, Clock.systemUTC());
        // Like kube-proxy's informer selector: slices of headless services are never needed and
        // are numerous in large clusters. The service-proxy-name label is filtered in
        // ProxySemantics because "absent or ours" is not expressible as a selector.
        services = client.services().inAnyNamespace().withoutLabel(KubernetesLabels.HEADLESS).runnableInformer(0);
        slices = client.discovery().v1().endpointSlices().inAnyNamespace().withoutLabel(KubernetesLabels.HEADLESS).runnableInformer(0);
        informers.add(services);
        informers.add(slices);
        if (nodeName != null) {
            node = client.nodes().withName(nodeName).runnableInformer(0);
            informers.add(node);
        }
        for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
            addHandler(informer);
            // fabric8's default gives up when the initial list fails (API server not reachable
            // yet, RBAC not applied yet): the agent would then never sync, and never be unhealthy
            // either. Keep retrying, with fabric8's backoff, whatever the failure. Each retry is
            // only debug: reachability warns once per outage, then once a minute.
            String kind = informer.getApiTypeClass().getSimpleName();
            informer.exceptionHandler((started, error) -> {
                reachability.informerFailed(kind, error);
                LOG.debug("{} list/watch failed{}; retrying", kind, started ? "" : " before the first list", error);
                return true;
            });
        }
        reachability.start();
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
            started.add(informer.start().toCompletableFuture());
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) -> {
            if (error != null) {
                if (closing) {
                    return; // stopped before the first list succeeded
                }
                // Not expected with the retrying exception handler; nothing will sync.
                LOG.error("Initial list of Services/EndpointSlices/Node failed", error);
                return;
            }
            LOG.info("Informers synced: {} services, {} endpoint slices", services.getStore().list().size(), slices.getStore().list().size());
            synced = true;
            coalescer.signal();
        });
    }

    private <T extends HasMetadata> void addHandler(SharedIndexInformer<T> informer) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                changed();
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                String before = oldObject.getMetadata().getResourceVersion();
                if (before == null || !before.equals(newObject.getMetadata().getResourceVersion())) {
                    changed();
                }
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                changed();
            }
        });
    }

    private void changed() {
        // Events during the initial list are covered by the first snapshot.
        if (synced) {
            coalescer.signal();
        }
    }

    /** What is wrong with the API server right now, one line each; empty when every informer watches. */
    @Override
    public List<String> problems() {
        ApiServerReachability current = reachability;
        return current == null ? List.of() : current.problems();
    }

    private List<String> notWatching() {
        List<String> kinds = new ArrayList<>();
        for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
            boolean watching;
            try {
                watching = informer.isWatching();
            } catch (RuntimeException e) {
                watching = false; // fabric8 can trip over a watch being replaced at that moment
            }
            if (!watching) {
                kinds.add(informer.getApiTypeClass().getSimpleName());
            }
        }
        return kinds;
    }

    private ClusterSnapshot snapshot() {
        Node current = null;
        if (node != null) {
            current = node.getStore().list().stream().findFirst().orElse(null);
        }
        return new ClusterSnapshot(services.getStore().list(), slices.getStore().list(), current);
    }

    @Override
    public synchronized void close() {
        closing = true;
        if (reachability != null) {
            reachability.close();
        }
        for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
            try {
                informer.stop();
            } catch (RuntimeException e) {
                LOG.warn("Stopping informer failed", e);
            }
        }
        informers.clear();
        if (coalescer != null) {
            coalescer.close();
        }
    }
}
