package dev.sluice.control.agent;

import static dev.sluice.control.agent.Cluster.ready;
import static dev.sluice.control.agent.Cluster.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.testing.KernelTest;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/'s ClusterRole against what the agent really asks for: every request a real agent makes
 * to the mock API server (through start, sync, a change, an Event for a refused Service, stop)
 * must be allowed by a rule, and every rule must be used by one of them.
 */
@KernelTest
@EnableKubernetesMockClient(crud = true)
class ClusterRoleTest extends AgentTest {
    private static final String AGENT_USER_AGENT = "sluice-agent-under-rbac-test";
    private static final Duration FOLLOW = Duration.ofSeconds(20);
    private static final Pattern CORE = Pattern.compile("^/api/v1/(?:namespaces/([^/]+)/)?([^/]+)(?:/([^/]+))?$");
    private static final Pattern GROUPED = Pattern.compile("^/apis/([^/]+)/[^/]+/(?:namespaces/([^/]+)/)?([^/]+)(?:/([^/]+))?$");

    KubernetesClient client;
    KubernetesMockServer server;

    /** What RBAC decides on: the verb, the API group and the resource of one request. */
    record Access(String verb, String group, String resource) {
    }

    @Test
    void theAgentNeedsExactlyWhatTheClusterRoleGrants() throws Exception {
        client.resource(Cluster.node()).create();
        client.resource(Cluster.clusterIp("web", "10.96.0.10").build()).create();
        client.resource(slice("web", Instant.now(), List.of(ready("10.244.1.5", "node-b")))).create();
        // A Service the agent refuses in part: the refusal becomes an Event on it.
        client.resource(Cluster.clusterIp("odd", "10.96.0.20").editSpec().withExternalIPs("not-an-ip").endSpec().build()).create();

        agent = AgentRun.start(() -> new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withUserAgent(AGENT_USER_AGENT).build()).build(), bpffs.root()).awaitReady();
        PinnedMaps maps = PinnedMaps.under(bpffs.root());
        AgentRun.await("both services", FOLLOW, () -> maps.ids().size() == 2);
        client.resource(slice("web", Instant.now(), List.of(ready("10.244.1.5", "node-b"), ready("10.244.1.6", "node-b")))).update();
        AgentRun.await("the watched change", FOLLOW, () -> PinnedMaps.under(bpffs.root()).backends().size() == 2);
        AgentRun.await("the agent's events", FOLLOW, () -> events().size() == 2);

        Event refused = events().stream().filter(e -> e.getReason().equals("Refused")).findFirst().orElseThrow();
        assertThat(refused.getType()).isEqualTo("Warning");
        assertThat(refused.getRegarding().getKind()).isEqualTo("Service");
        assertThat(refused.getRegarding().getName()).isEqualTo("odd");
        assertThat(refused.getRegarding().getUid()).isEqualTo(client.services().inNamespace("ns").withName("odd").get().getMetadata().getUid());
        assertThat(refused.getNote()).startsWith("spec.externalIPs[0]: ");
        Event started = events().stream().filter(e -> e.getReason().equals("Starting")).findFirst().orElseThrow();
        assertThat(started.getRegarding().getKind()).isEqualTo("Node");
        assertThat(started.getRegarding().getName()).isEqualTo("node-a");
        assertThat(started.getReportingController()).isEqualTo(KubernetesEvents.CONTROLLER);
        assertThat(agent.stop()).isZero();

        Set<Access> used = agentRequests();
        List<PolicyRule> rules = DeployManifestsTest.load("clusterrole.yaml", ClusterRole.class).getRules();
        for (Access access : used) {
            assertThat(rules.stream().anyMatch(rule -> allows(rule, access))).as("allowed: " + access).isTrue();
        }
        for (PolicyRule rule : rules) {
            assertThat(rule.getResourceNames()).as("resourceNames").isNullOrEmpty();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        assertThat(used).as("a request needs " + verb + " " + group + "/" + resource)
                                .contains(new Access(verb, group, resource));
                    }
                }
            }
        }
    }

    private List<Event> events() {
        return client.events().v1().events().inAnyNamespace().list().getItems();
    }

    private static boolean allows(PolicyRule rule, Access access) {
        return rule.getApiGroups().contains(access.group()) && rule.getResources().contains(access.resource())
                && rule.getVerbs().contains(access.verb());
    }

    /** Every request the mock server saw from the agent's client, as RBAC would classify it. */
    private Set<Access> agentRequests() throws InterruptedException {
        Set<Access> accesses = new LinkedHashSet<>();
        List<String> unclassified = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (!AGENT_USER_AGENT.equals(request.getHeader("User-Agent"))) {
                continue;
            }
            Access access = classify(request.getMethod(), request.getPath());
            if (access == null) {
                unclassified.add(request.getMethod() + " " + request.getPath());
            } else {
                accesses.add(access);
            }
        }
        assertThat(unclassified).as("requests RBAC has no resource for").isEmpty();
        assertThat(accesses).as("the agent's requests").isNotEmpty();
        return accesses;
    }

    static Access classify(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        String group;
        String resource;
        String name;
        Matcher core = CORE.matcher(uri.getPath());
        Matcher grouped = GROUPED.matcher(uri.getPath());
        if (core.matches()) {
            group = "";
            resource = core.group(2);
            name = core.group(3);
        } else if (grouped.matches()) {
            group = grouped.group(1);
            resource = grouped.group(3);
            name = grouped.group(4);
        } else {
            return null;
        }
        String verb = switch (method) {
            case "GET" -> query.contains("watch=true") ? "watch" : name != null ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name != null ? "delete" : "deletecollection";
            default -> method;
        };
        return new Access(verb, group, resource);
    }

    @Test
    void requestsAreClassifiedAsTheApiServerDoes() throws IOException {
        assertThat(classify("GET", "/api/v1/services?resourceVersion=0")).isEqualTo(new Access("list", "", "services"));
        assertThat(classify("GET", "/api/v1/nodes?fieldSelector=metadata.name%3Dnode-a&watch=true"))
                .isEqualTo(new Access("watch", "", "nodes"));
        assertThat(classify("GET", "/api/v1/nodes/node-a")).isEqualTo(new Access("get", "", "nodes"));
        assertThat(classify("POST", "/apis/events.k8s.io/v1/namespaces/ns/events"))
                .isEqualTo(new Access("create", "events.k8s.io", "events"));
        assertThat(classify("GET", "/apis/discovery.k8s.io/v1/endpointslices?watch=true"))
                .isEqualTo(new Access("watch", "discovery.k8s.io", "endpointslices"));
    }
}
