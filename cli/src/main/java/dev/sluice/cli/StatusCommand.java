package dev.sluice.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.control.observe.AgentStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code sluice status}: the agent's own view (/statusz) with its liveness (/healthz) and readiness (/readyz). */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        header = "The agent's health, readiness and sync state.",
        description = "Asks the agent on its metrics address for its status (/statusz: node, datapath mode, "
                + "source, sync state, problems), kube-proxy's health answer (/healthz) and readiness (/readyz). "
                + "Exits 0 when the agent is healthy and ready, 1 when it answers but is not, 6 when it cannot "
                + "be reached.")
final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @ParentCommand
    Sluice root;

    @Mixin
    OutputOptions output;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3",
            description = "How long to wait for each answer (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** One endpoint's answer; body is JSON when the endpoint answered JSON, else its text. */
    @JsonPropertyOrder({"httpStatus", "body"})
    record Answer(int httpStatus, Object body) {
    }

    @JsonPropertyOrder({"agent", "healthy", "ready", "status", "healthz", "readyz"})
    record Report(String agent, boolean healthy, boolean ready, AgentStatus status, Answer healthz, Answer readyz) {
    }

    @Override
    public Integer call() {
        URI base = base(root.agent());
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutSeconds)).build();
        Answer statusz = get(client, base, "/statusz");
        Answer healthz = get(client, base, "/healthz");
        Answer readyz = get(client, base, "/readyz");
        AgentStatus status = null;
        if (statusz.httpStatus() == 200 && statusz.body() instanceof JsonNode node) {
            status = JSON.convertValue(node, AgentStatus.class);
        }
        boolean healthy = healthz.httpStatus() == 200;
        boolean ready = readyz.httpStatus() == 200;
        Report report = new Report(base.toString(), healthy, ready, status, healthz, readyz);
        PrintWriter out = root.spec.commandLine().getOut();
        if (output.json()) {
            Sluice.printJson(out, report);
        } else {
            out.print(table(report, statusz));
            out.flush();
        }
        return healthy && ready ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    static String table(Report report, Answer statusz) {
        Table table = new Table("AGENT", report.agent());
        AgentStatus s = report.status();
        if (s != null) {
            table.row("node", s.nodeName());
            table.row("datapath", s.datapathFallback() == null ? s.datapathMode()
                    : s.datapathMode() + " (fell back from eBPF: " + s.datapathFallback() + ")");
            table.row("source", s.source());
            if (s.sourceRevision() != null) {
                table.row("source revision", s.sourceRevision());
            }
            table.row("first sync", s.firstSyncDone() ? "done" : "not done");
            table.row("last sync", s.lastSync() == null ? "never" : s.lastSync());
            table.row("services", s.services());
            table.row("backends", s.backends());
        } else {
            table.row("statusz", statusz.httpStatus() == 404 ? "not served by this agent"
                    : "HTTP " + statusz.httpStatus() + " " + text(statusz.body()));
        }
        table.row("healthz", (report.healthy() ? "healthy" : "unhealthy") + " (HTTP "
                + report.healthz().httpStatus() + ") " + text(report.healthz().body()));
        table.row("readyz", (report.ready() ? "ready" : "not ready") + " (HTTP "
                + report.readyz().httpStatus() + ") " + text(report.readyz().body()));
        if (s != null) {
            if (s.problems() == null || s.problems().isEmpty()) {
                table.row("problems", "none");
            } else {
                for (String problem : s.problems()) {
                    table.row("problem", problem);
                }
            }
        }
        return table.render();
    }

    private static String text(Object body) {
        return body instanceof JsonNode node ? node.toString() : String.valueOf(body).strip();
    }

    /** {@code host:port}, {@code [v6]:port} or a full http(s) URL. */
    static URI base(String agent) {
        String text = agent.strip();
        if (!text.contains("://")) {
            text = "http://" + text;
        }
        try {
            URI uri = URI.create(text);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--agent: '" + agent + "' is not HOST:PORT or an http URL");
        }
    }

    private Answer get(HttpClient client, URI base, String path) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(timeoutSeconds)).GET().build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable(base, "no answer to connect within " + timeoutSeconds + "s");
        } catch (HttpTimeoutException e) {
            throw unreachable(base, "no answer to " + path + " within " + timeoutSeconds + "s");
        } catch (ConnectException e) {
            throw unreachable(base, "connection refused");
        } catch (IOException e) {
            throw unreachable(base, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(base, "interrupted");
        }
        String body = response.body();
        boolean json = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
        if (json) {
            try {
                return new Answer(response.statusCode(), JSON.readTree(body));
            } catch (IOException notJson) {
                return new Answer(response.statusCode(), body);
            }
        }
        return new Answer(response.statusCode(), body.strip());
    }

    private static CliException unreachable(URI base, String why) {
        return new CliException(ExitCodes.AGENT_UNREACHABLE, "cannot reach the sluice agent at " + base + ": "
                + why + " (is it running on this node? the address is --agent or SLUICE_AGENT)");
    }
}
