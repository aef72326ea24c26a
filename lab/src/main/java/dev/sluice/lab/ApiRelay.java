package dev.sluice.lab;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a server on the host's loopback reachable from the lab: listens inside a lab namespace and
 * pipes each connection to the target. A socket keeps the namespace it was created in, so only the
 * listening socket is opened on a thread inside the namespace; the target sockets are opened on
 * ordinary threads and so reach the host's loopback, which no lab namespace has a route to.
 */
final class ApiRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRelay.class);

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private ApiRelay(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
        this.acceptor = Thread.ofPlatform().daemon().name("api-relay-accept").start(this::acceptLoop);
    }

    static ApiRelay open(NetworkNamespace namespace, String address, int port, InetSocketAddress target) {
        ServerSocket listener = namespace.call(() -> {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            return socket;
        });
        LOG.info("relaying {}:{} in {} to {}", address, port, namespace.name(), target);
        return new ApiRelay(listener, target);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket inside;
            try {
                inside = listener.accept();
            } catch (IOException closed) {
                return;
            }
            Thread.ofVirtual().name("api-relay-connect").start(() -> relay(inside));
        }
    }

    private void relay(Socket inside) {
        open.add(inside);
        Socket outside = new Socket();
        open.add(outside);
        try {
            outside.connect(target, 2000);
            Thread back = Thread.ofVirtual().name("api-relay-back").start(() -> pipe(outside, inside));
            pipe(inside, outside);
            back.join();
        } catch (IOException e) {
            LOG.debug("relay connection to {} failed", target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(inside);
            closeQuietly(outside);
        }
    }

    /** Copies until EOF, then half-closes so the peer sees the end but can still answer. */
    private void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException brokenOrClosed) {
            // Either side went away: tear down both so the other direction ends too.
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            // Watches hold their connections open; close them so no relay thread outlives the lab.
            open.forEach(this::closeQuietly);
            try {
                acceptor.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
