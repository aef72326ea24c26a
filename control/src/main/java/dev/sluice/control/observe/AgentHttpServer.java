package dev.sluice.control.observe;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own HTTP endpoint: {@code /metrics}, {@code /healthz}, {@code /livez}, {@code /readyz}
 * (see {@link HealthEndpoints} and {@link MetricsEndpoint} for their answers). GET and HEAD only
 * (405 otherwise), 404 for any other path; the query string is ignored, as by kube-proxy's mux.
 *
 * <p>kube-proxy splits health (:10256) and metrics (:10249) over two ports; start two instances on
 * those addresses to keep that layout — each serves all four paths.
 */
public final class AgentHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);

    private final EventLoopGroup eventLoops;
    private final HttpListener listener;

    private AgentHttpServer(EventLoopGroup eventLoops, HttpListener listener) {
        this.eventLoops = eventLoops;
        this.listener = listener;
    }

    /**
     * Binds {@code address} (port 0 picks a free port, see {@link #address()}) and serves until
     * {@link #close()}.
     *
     * @throws IOException if the address cannot be bound
     */
    public static AgentHttpServer start(InetSocketAddress address, ProxyHealth health,
                                        PrometheusMeterRegistry registry, Clock clock) throws IOException {
        return start(address, health, registry, clock, null);
    }

    /** As above, and {@code /statusz} answers with the agent's status as JSON when given. */
    public static AgentHttpServer start(InetSocketAddress address, ProxyHealth health,
                                        PrometheusMeterRegistry registry, Clock clock,
                                        Supplier<AgentStatus> status) throws IOException {
        HealthEndpoints healthEndpoints = new HealthEndpoints(health, clock);
        MetricsEndpoint metrics = new MetricsEndpoint(registry);
        Map<String, HttpRoute> routes = new HashMap<>(Map.of(
                "/metrics", metrics::scrape,
                "/healthz", healthEndpoints::healthz,
                "/livez", healthEndpoints::livez,
                "/readyz", healthEndpoints::readyz));
        if (status != null) {
            routes.put("/statusz", request -> statusz(status));
        }
        EventLoopGroup eventLoops = HttpListener.eventLoops("sluice-http", 1);
        try {
            HttpListener listener = HttpListener.bind(eventLoops, address, request -> route(routes, request));
            LOG.info("serving /metrics /healthz /livez /readyz on {}", listener.localAddress());
            return new AgentHttpServer(eventLoops, listener);
        } catch (IOException | RuntimeException e) {
            eventLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpReply statusz(Supplier<AgentStatus> status) {
        try {
            return HttpReply.json(HttpResponseStatus.OK, JSON.writeValueAsString(status.get()));
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("cannot report status", e);
            return HttpReply.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot report status\n");
        }
    }

    private static HttpReply route(Map<String, HttpRoute> routes, HttpRequest request) {
        HttpRoute route = routes.get(new QueryStringDecoder(request.uri()).path());
        if (route == null) {
            return HttpReply.text(HttpResponseStatus.NOT_FOUND, "not found\n");
        }
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            return HttpReply.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n")
                    .withHeader(HttpHeaderNames.ALLOW.toString(), "GET, HEAD");
        }
        return route.answer(request);
    }

    /** The bound address, with the real port when started on port 0. */
    public InetSocketAddress address() {
        return listener.localAddress();
    }

    /** Stops accepting, drops open connections, stops the event loop; idempotent. */
    @Override
    public void close() {
        listener.close();
        eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
