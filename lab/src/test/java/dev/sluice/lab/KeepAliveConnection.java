package dev.sluice.lab;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 connection that stays open across requests, for what must hold for established
 * connections (scale down, agent restarts). Opened in a namespace; used from any thread.
 */
final class KeepAliveConnection implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 3000;

    private final Socket socket;
    private final String host;

    private KeepAliveConnection(Socket socket, String host) {
        this.socket = socket;
        this.host = host;
    }

    static KeepAliveConnection open(NetworkNamespace namespace, String address, int port) {
        Socket socket = namespace.call(() -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(address, port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            return s;
        });
        return new KeepAliveConnection(socket, address);
    }

    /** One GET on this connection; the response body (a backend's answer line). */
    String get() {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            int length = -1;
            String status = readLine(in);
            if (!status.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("unexpected status: " + status);
            }
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            if (length < 0) {
                throw new IllegalStateException("no Content-Length in the response");
            }
            return new String(in.readNBytes(length), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("request on the kept connection from " + socket.getLocalSocketAddress() + " failed", e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed by the peer");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
