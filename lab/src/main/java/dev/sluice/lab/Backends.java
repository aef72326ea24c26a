package dev.sluice.lab;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * Real servers in the pods: HTTP on 8080 and 8081 (a second target port for multiport services) and
 * a UDP responder on 5353, each answering with the pod's name, the client address it saw and the
 * port it was reached on; each on the pod's IPv4 and IPv6 address. Their sockets are opened inside the pods' namespaces (from a
 * thread that entered them), so one JVM serves every pod. The HTTP servers also answer
 * {@code GET /bytes/N} with the first N bytes of the {@link PayloadStream} of seed N, for real
 * HTTP clients whose downloads a test verifies, and each pod runs a {@link PayloadServer}.
 */
final class Backends implements AutoCloseable {
    static final int HTTP_PORT = 8080;
    static final int ALT_HTTP_PORT = 8081;
    static final int UDP_PORT = 5353;
    static final String BYTES_PATH = "/bytes/";

    private final List<HttpServer> httpServers = new ArrayList<>();
    private final List<DatagramSocket> udpSockets = new ArrayList<>();
    private final List<PayloadServer> payloadServers = new ArrayList<>();

    static Backends start(List<Pod> pods) {
        Backends backends = new Backends();
        try {
            for (Pod pod : pods) {
                backends.serve(pod);
            }
            return backends;
        } catch (RuntimeException failure) {
            backends.close();
            throw failure;
        }
    }

    static String answer(String pod, InetSocketAddress client, int port) {
        return "pod=" + pod + " client=" + client.getAddress().getHostAddress() + " port=" + port + "\n";
    }

    private void serve(Pod pod) {
        for (String address : List.of(pod.address(), pod.address6())) {
            serveHttp(pod, address, HTTP_PORT);
            serveHttp(pod, address, ALT_HTTP_PORT);
            serveUdp(pod, address);
            payloadServers.add(PayloadServer.start(pod.name(), pod.namespace(), address));
        }
    }

    private void serveHttp(Pod pod, String address, int port) {
        HttpServer http = pod.namespace().call(() -> HttpServer.create(new InetSocketAddress(address, port), 64));
        http.createContext("/", exchange -> {
            byte[] body = answer(pod.name(), exchange.getRemoteAddress(), port).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.createContext(BYTES_PATH, exchange -> {
            long length;
            try {
                length = Long.parseLong(exchange.getRequestURI().getPath().substring(BYTES_PATH.length()));
            } catch (NumberFormatException notANumber) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            // -1: no body at all, which is how HttpServer spells Content-Length 0.
            exchange.sendResponseHeaders(200, length == 0 ? -1 : length);
            try (var out = exchange.getResponseBody()) {
                PayloadStream.write(out, length, length);
            }
        });
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        httpServers.add(http);
    }

    private void serveUdp(Pod pod, String address) {
        DatagramSocket udp = pod.namespace().call(() -> new DatagramSocket(new InetSocketAddress(address, UDP_PORT)));
        udpSockets.add(udp);
        Thread.ofVirtual().name("udp-" + pod.name() + "-" + address).start(() -> {
            byte[] buffer = new byte[2048];
            while (!udp.isClosed()) {
                try {
                    DatagramPacket request = new DatagramPacket(buffer, buffer.length);
                    udp.receive(request);
                    byte[] reply = answer(pod.name(), (InetSocketAddress) request.getSocketAddress(), UDP_PORT)
                            .getBytes(StandardCharsets.UTF_8);
                    udp.send(new DatagramPacket(reply, reply.length, request.getSocketAddress()));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    @Override
    public void close() {
        httpServers.forEach(server -> server.stop(0));
        udpSockets.forEach(DatagramSocket::close);
        payloadServers.forEach(PayloadServer::close);
    }
}
