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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP endpoints. GET and HEAD only (405 otherwise), 404 for any other path; the query
 * string is ignored, as by kube-proxy's mux.
 *
 * <p>Two layouts, as kube-proxy has: {@link #start} serves everything ({@code /metrics},
 * {@code /healthz}, {@code /livez}, {@code /readyz}, {@code /statusz}) for the node itself
 * (127.0.0.1:10249 by default); {@link #startHealthOnly} serves {@code /healthz} and {@code /livez}
 * alone, because its address (:10256 on every interface) is open to load balancers, which must not
 * read the agent's metrics or status.
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
     * Binds {@code address} (port 0 picks a free port, see {@link #address()}) and serves every path
     * until {@link #close()}.
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
        Map<String, HttpRoute> routes = new LinkedHashMap<>();
        routes.put("/metrics", metrics::scrape);
        routes.put("/healthz", healthEndpoints::healthz);
        routes.put("/livez", healthEndpoints::livez);
        routes.put("/readyz", healthEndpoints::readyz);
        if (status != null) {
            routes.put("/statusz", request -> statusz(status));
        }
        return serve(address, routes);
    }

    /** Binds {@code address} and serves {@code /healthz} and {@code /livez} only. */
    public static AgentHttpServer startHealthOnly(InetSocketAddress address, ProxyHealth health, Clock clock)
            throws IOException {
        HealthEndpoints healthEndpoints = new HealthEndpoints(health, clock);
        Map<String, HttpRoute> routes = new LinkedHashMap<>();
        routes.put("/healthz", healthEndpoints::healthz);
        routes.put("/livez", healthEndpoints::livez);
        return serve(address, routes);
    }

    private static AgentHttpServer serve(InetSocketAddress address, Map<String, HttpRoute> routes) throws IOException {
        EventLoopGroup eventLoops = HttpListener.eventLoops("sluice-http", 1);
        try {
            HttpListener listener = HttpListener.bind(eventLoops, address, request -> route(routes, request));
            LOG.info("serving {} on {}", String.join(" ", routes.keySet()), listener.localAddress());
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
