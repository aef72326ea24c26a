package dev.sluice.control.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events (events.k8s.io/v1) posted on a thread of their own: a slow or failing API server must
 * never hold up a sync, and a lost event costs nothing but the message (the log and /statusz say
 * it too).
 */
final class KubernetesEvents implements AgentEvents, AutoCloseable {
    static final String CONTROLLER = "sluice.dev/agent";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEvents.class);
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
            .withZone(java.time.ZoneOffset.UTC);
    /** The API server refuses longer notes. */
    private static final int MAX_NOTE = 1024;

    private final KubernetesClient client;
    private final String nodeName;
    private final Clock clock;
    private final ExecutorService poster = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("sluice-events").daemon().factory());

    KubernetesEvents(KubernetesClient client, String nodeName, Clock clock) {
        this.client = client;
        this.nodeName = nodeName;
        this.clock = clock;
    }

    @Override
    public void started(String node) {
        // Nodes are cluster-scoped; their events live in "default" with the node's name as uid, the
        // convention of the kubelet and kube-proxy that `kubectl describe node` relies on.
        ObjectReference regarding = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node")
                .withName(node).withUid(node).build();
        post("default", regarding, "Normal", "Starting", "StartSluice", "sluice started on node " + node);
    }

    @Override
    public void refused(HasMetadata object, String field, String message) {
        ObjectReference regarding = new ObjectReferenceBuilder().withApiVersion(object.getApiVersion())
                .withKind(object.getKind()).withNamespace(object.getMetadata().getNamespace())
                .withName(object.getMetadata().getName()).withUid(object.getMetadata().getUid())
                .withResourceVersion(object.getMetadata().getResourceVersion()).build();
        String note = (field.isEmpty() ? "" : field + ": ") + message;
        post(object.getMetadata().getNamespace(), regarding, "Warning", "Refused", "Program", note);
    }

    private void post(String namespace, ObjectReference regarding, String type, String reason, String action, String note) {
        String now = MICRO_TIME.format(clock.instant());
        Event event = new EventBuilder()
                .withNewMetadata()
                .withGenerateName(regarding.getName() + ".")
                .withNamespace(namespace)
                .endMetadata()
                .withRegarding(regarding)
                .withType(type)
                .withReason(reason)
                .withAction(action)
                .withNote(note.length() > MAX_NOTE ? note.substring(0, MAX_NOTE) : note)
                .withEventTime(new MicroTime(now))
                .withReportingController(CONTROLLER)
                .withReportingInstance(CONTROLLER + "-" + nodeName)
                .build();
        try {
            poster.execute(() -> {
                try {
                    client.events().v1().events().inNamespace(namespace).resource(event).create();
                } catch (RuntimeException e) {
                    LOG.warn("cannot post event {} on {} {}: {}", reason, regarding.getKind(), regarding.getName(), e.getMessage());
                }
            });
        } catch (RejectedExecutionException closing) {
            LOG.debug("not posting {} while stopping", reason);
        }
    }

    @Override
    public void close() throws InterruptedException {
        poster.shutdown();
        poster.awaitTermination(5, TimeUnit.SECONDS);
    }
}
