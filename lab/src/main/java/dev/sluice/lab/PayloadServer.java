package dev.sluice.lab;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod's payload server: a line protocol for moving verifiable bytes and for ending connections
 * in every way TCP can, so tests see what the datapath does to real transfers and to the end of a
 * connection. One command per line, any number per connection:
 * <pre>
 *   WHO                 answers "pod=NAME client=ADDRESS port=PORT\n"
 *   SEND n seed         answers n bytes of {@link PayloadStream} seed, keeps the connection
 *   SINK n              reads n bytes, answers their SHA-256 in hex and "\n"
 *   CLOSE n seed        answers n bytes, then closes first (FIN from the server)
 *   RESET               closes with SO_LINGER 0 (RST from the server)
 *   HALF n seed         waits for the client's FIN, then answers n bytes and closes
 * </pre>
 * When the client ends the connection (FIN or RST) the server closes its side too.
 */
final class PayloadServer implements AutoCloseable {
    static final int PORT = 9000;
    private static final Logger LOG = LoggerFactory.getLogger(PayloadServer.class);
    private static final int MAX_LINE = 256;

    private final String pod;
    private final ServerSocket listener;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    private PayloadServer(String pod, ServerSocket listener) {
        this.pod = pod;
        this.listener = listener;
    }

    /** Listens on {@code address} inside the pod's namespace and serves on virtual threads. */
    static PayloadServer start(String pod, NetworkNamespace namespace, String address) {
        ServerSocket listener = namespace.call(() -> {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            // A storm of new connections must not overflow the accept queue of one JVM on two cores.
            socket.bind(new InetSocketAddress(address, PORT), 4096);
            return socket;
        });
        PayloadServer server = new PayloadServer(pod, listener);
        Thread.ofVirtual().name("payload-" + pod + "-" + address).start(server::acceptLoop);
        return server;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket connection = listener.accept();
                connections.add(connection);
                Thread.ofVirtual().start(() -> serve(connection));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            InputStream in = new BufferedInputStream(connection.getInputStream());
            OutputStream out = new BufferedOutputStream(connection.getOutputStream());
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    return;
                }
                if (!command(line.split(" "), connection, in, out)) {
                    return;
                }
            }
        } catch (IOException ended) {
            // The client reset or vanished; nothing is owed to it.
        } catch (RuntimeException bad) {
            LOG.warn("payload server of {}: {}", pod, bad.toString());
        } finally {
            connections.remove(connection);
        }
    }

    /** Runs one command; false when the connection is over. */
    private boolean command(String[] words, Socket connection, InputStream in, OutputStream out) throws IOException {
        switch (words[0]) {
            case "WHO" -> {
                out.write(Backends.answer(pod, (InetSocketAddress) connection.getRemoteSocketAddress(), PORT)
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                return true;
            }
            case "SEND" -> {
                PayloadStream.write(out, Long.parseLong(words[2]), Long.parseLong(words[1]));
                return true;
            }
            case "SINK" -> {
                out.write((sink(in, Long.parseLong(words[1])) + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return true;
            }
            case "CLOSE" -> {
                PayloadStream.write(out, Long.parseLong(words[2]), Long.parseLong(words[1]));
                return false;
            }
            case "RESET" -> {
                connection.setSoLinger(true, 0);
                return false;
            }
            case "HALF" -> {
                while (in.read() >= 0) {
                    // Waiting for the client's FIN: whatever comes before it does not matter.
                }
                PayloadStream.write(out, Long.parseLong(words[2]), Long.parseLong(words[1]));
                return false;
            }
            default -> throw new IllegalArgumentException("unknown command " + String.join(" ", words));
        }
    }

    private static String sink(InputStream in, long length) throws IOException {
        MessageDigest digest = PayloadStream.sha256();
        byte[] buffer = new byte[64 * 1024];
        for (long left = length; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("the client ended after " + (length - left) + " of " + length + " bytes");
            }
            digest.update(buffer, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The next line without its end, or null at the end of the stream. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return null;
            }
            if (line.size() == MAX_LINE) {
                throw new IllegalArgumentException("command line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).strip();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket connection : connections) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
