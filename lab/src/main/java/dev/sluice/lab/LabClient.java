package dev.sluice.lab;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A client inside a lab namespace: one HTTP/1.0 GET or one UDP request per call, from a socket
 * opened in that namespace (sockets keep their namespace, so tests may open their own in it). Returns the backend's answer line ("pod=... client=...").
 */
final class LabClient {
    private static final int TIMEOUT_MILLIS = 3000;

    private final NetworkNamespace namespace;

    LabClient(NetworkNamespace namespace) {
        this.namespace = namespace;
    }

    String http(String address, int port) {
        return http(address, port, null);
    }

    /**
     * As above from a fixed local address and port (null: any); the address is reused at once, so a
     * test can send the same flow again after closing.
     */
    String http(String address, int port, InetSocketAddress local) {
        return namespace.call(() -> {
            try (Socket socket = new Socket()) {
                if (local != null) {
                    socket.setReuseAddress(true);
                    socket.bind(local);
                }
                socket.connect(new InetSocketAddress(address, port), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                OutputStream out = socket.getOutputStream();
                out.write(("GET / HTTP/1.0\r\nHost: " + address + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                int body = response.indexOf("\r\n\r\n");
                return body < 0 ? response : response.substring(body + 4).strip();
            }
        });
    }

    NetworkNamespace namespace() {
        return namespace;
    }

    String udp(String address, int port) {
        return namespace.call(() -> {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.setSoTimeout(TIMEOUT_MILLIS);
                byte[] request = "hello".getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(request, request.length, new InetSocketAddress(address, port)));
                byte[] buffer = new byte[2048];
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                socket.receive(reply);
                return new String(buffer, 0, reply.getLength(), StandardCharsets.UTF_8).strip();
            }
        });
    }
}
