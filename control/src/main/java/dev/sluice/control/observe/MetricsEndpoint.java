package dev.sluice.control.observe;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code /metrics}: the registry's scrape in Prometheus text format 0.0.4, or OpenMetrics 1.0 when
 * the scraper asks for it (Prometheus does by default). Protobuf is never offered: the text
 * formats are all any Prometheus version accepts.
 */
final class MetricsEndpoint {
    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    MetricsEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    HttpReply scrape(HttpRequest request) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
        String contentType = accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT_004;
        byte[] body = registry.scrape(contentType).getBytes(StandardCharsets.UTF_8);
        return new HttpReply(HttpResponseStatus.OK, contentType, body, Map.of());
    }
}
