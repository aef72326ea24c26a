package dev.sluice.control.observe;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * {@code /healthz}, {@code /livez} and {@code /readyz} over a {@link ProxyHealth}.
 *
 * <p>{@code /healthz} and {@code /livez} reproduce kube-proxy's handlers (proxy_health.go):
 * status 200 or 503, {@code Content-Type: application/json}, {@code X-Content-Type-Options: nosniff},
 * and a compact JSON body with the fields in kube-proxy's order:
 * <pre>{"lastUpdated":"…","currentTime":"…","nodeEligible":true,"healthy":true}</pre>
 * {@code nodeEligible} appears on {@code /healthz} only. When healthy, {@code lastUpdated} is the
 * current time — kube-proxy's backward-compatible meaning, "the proxy is up to date now"; when
 * unhealthy it is the time of the last completed sync. kube-proxy's per-IP-family {@code status}
 * map is omitted: sluice has one datapath for both families (kube-proxy omits it too until a
 * proxier has synced).
 *
 * <p>{@code /readyz} is sluice's own: 200 {@code ok} once the first sync completed, 503
 * {@code first sync not done} before, plain text. A pod that has not programmed its node yet must
 * not count as ready, while liveness must not kill it for being slow to start.
 */
final class HealthEndpoints {
    private final ProxyHealth health;
    private final Clock clock;

    HealthEndpoints(ProxyHealth health, Clock clock) {
        this.health = health;
        this.clock = clock;
    }

    HttpReply healthz(HttpRequest ignored) {
        ProxyHealth.Snapshot state = health.snapshot(clock.instant());
        return json(state, state.healthy() && state.nodeEligible(), true);
    }

    HttpReply livez(HttpRequest ignored) {
        ProxyHealth.Snapshot state = health.snapshot(clock.instant());
        return json(state, state.healthy(), false);
    }

    HttpReply readyz(HttpRequest ignored) {
        return health.firstSyncDone()
                ? HttpReply.text(HttpResponseStatus.OK, "ok\n")
                : HttpReply.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "first sync not done\n");
    }

    private static HttpReply json(ProxyHealth.Snapshot state, boolean ok, boolean withNodeEligible) {
        Instant lastUpdated = state.healthy() ? state.currentTime() : state.lastUpdated().orElse(null);
        StringBuilder body = new StringBuilder(160)
                .append("{\"lastUpdated\":\"")
                .append(lastUpdated == null ? GoTime.ZERO : GoTime.rfc3339Nano(lastUpdated))
                .append("\",\"currentTime\":\"").append(GoTime.rfc3339Nano(state.currentTime())).append('"');
        if (withNodeEligible) {
            body.append(",\"nodeEligible\":").append(state.nodeEligible());
        }
        body.append(",\"healthy\":").append(state.healthy());
        if (!state.notProgrammed().isEmpty()) {
            // Beyond kube-proxy's fields: which writes keep failing, so a probe's log says why.
            body.append(",\"notProgrammed\":").append(Json.strings(state.notProgrammed()));
        }
        body.append('}');
        return new HttpReply(ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, HttpReply.JSON,
                body.toString().getBytes(StandardCharsets.UTF_8), Map.of("X-Content-Type-Options", "nosniff"));
    }
}
