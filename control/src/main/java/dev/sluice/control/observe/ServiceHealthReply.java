package dev.sluice.control.observe;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The answer of a health-check node port, byte for byte what kube-proxy writes
 * (service_health.go): tab-indented JSON without a trailing newline, 200 only when the service
 * has local endpoints and the proxy itself is healthy, and the endpoint count again in
 * {@code X-Load-Balancing-Endpoint-Weight} for load balancers that weight nodes by it.
 */
final class ServiceHealthReply {
    private ServiceHealthReply() {
    }

    static HttpReply of(ServiceName service, int localEndpoints, boolean proxyHealthy) {
        String body = "{\n"
                + "\t\"service\": {\n"
                + "\t\t\"namespace\": " + Json.quote(service.namespace()) + ",\n"
                + "\t\t\"name\": " + Json.quote(service.name()) + "\n"
                + "\t},\n"
                + "\t\"localEndpoints\": " + localEndpoints + ",\n"
                + "\t\"serviceProxyHealthy\": " + proxyHealthy + "\n"
                + "}";
        HttpResponseStatus status = localEndpoints != 0 && proxyHealthy
                ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
        return new HttpReply(status, HttpReply.JSON, body.getBytes(StandardCharsets.UTF_8), Map.of(
                "X-Content-Type-Options", "nosniff",
                "X-Load-Balancing-Endpoint-Weight", Integer.toString(localEndpoints)));
    }
}
