package dev.sluice.lab;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client connection to a {@link PayloadServer}, opened inside a lab namespace, that checks every
 * byte it gets back: what it receives is compared with the {@link PayloadStream} the server must
 * have sent (SHA-256 of both, and the offset of the first wrong byte), what it uploads with the
 * digest the server computed of what arrived. Every step is bounded: connect and each read by
 * timeouts, each whole operation by a {@link Watchdog}; any failure is a {@link TransferFailure}
 * naming the connection, the operation and how far it got.
 */
final class PayloadConnection implements AutoCloseable {
    /** Room for one SYN retransmission (after 1 s), so a dropped first SYN is told apart from silence. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** The lab's round trips take microseconds: a second of silence is a drop that RTO backoff did not repair. */
    static final int IDLE_MILLIS = 1000;
    /** The slowest rate an operation may move its bytes at: a fifth of what one veth hop does on two cores, untuned. */
    static final long MIN_BYTES_PER_SECOND = 20L * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;

    private final Socket socket;
    private final String description;
    private final Duration connectTime;
    private final InputStream in;
    private final OutputStream out;
    private Duration budget;
    private Duration baseBudget = Duration.ofSeconds(1);
    private long progress;
    private String progressUnit = "bytes";

    private PayloadConnection(Socket socket, String description, Duration connectTime) throws IOException {
        this.socket = socket;
        this.description = description;
        this.connectTime = connectTime;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects from inside {@code namespace}, from {@code local} (null: any; bound with SO_REUSEADDR). */
    static PayloadConnection open(NetworkNamespace namespace, InetSocketAddress target, InetSocketAddress local) {
        return namespace.call(() -> openHere(target, local));
    }

    /**
     * Connects from the namespace the calling thread is in: for workers that entered one once and
     * open many connections, without a thread per connection.
     */
    static PayloadConnection openHere(InetSocketAddress target, InetSocketAddress local) throws IOException {
        Socket socket = new Socket();
        long started = System.nanoTime();
        try {
            if (local != null) {
                socket.setReuseAddress(true);
                socket.bind(local);
            }
            socket.connect(target, (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout(IDLE_MILLIS);
            socket.setTcpNoDelay(true);
            return new PayloadConnection(socket, socket.getLocalSocketAddress() + " -> " + target,
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            socket.close();
            throw new TransferFailure((local == null ? "" : local + " ") + "-> " + target + ": connect failed after "
                    + Millis.since(started) + ": " + e, e);
        }
    }

    /**
     * Connects again from a fixed {@code local} address and port, waiting up to {@code patience}
     * while Linux still refuses the four-tuple because the previous socket on it has not finished
     * closing (EADDRNOTAVAIL: a socket in LAST_ACK waits for the server's ACK of its FIN).
     */
    static PayloadConnection reopen(NetworkNamespace namespace, InetSocketAddress target, InetSocketAddress local,
                                    Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return open(namespace, target, local);
            } catch (TransferFailure failure) {
                if (!(failure.getCause() instanceof BindException) || System.nanoTime() > deadline) {
                    throw failure;
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static PayloadConnection open(NetworkNamespace namespace, InetSocketAddress target) {
        return open(namespace, target, null);
    }

    /** How long the connect took: over a second means the first SYN got no answer. */
    Duration connectTime() {
        return connectTime;
    }

    /** The default budget of an operation that moves {@code bytes}: a second, plus the bytes at the slowest rate allowed. */
    static Duration budgetFor(long bytes) {
        return budgetFor(Duration.ofSeconds(1), bytes);
    }

    private static Duration budgetFor(Duration base, long bytes) {
        return base.plusNanos(bytes * 1_000_000_000L / MIN_BYTES_PER_SECOND);
    }

    /**
     * Allows {@code silence} without progress instead of a second, in reads and in each
     * operation's budget: for load that saturates the lab's two cores, where a packet the kernel
     * drops from a full backlog costs a retransmission timeout with backoff even with no service
     * on the way (a storm straight to a pod showed it). A connection that stalls for good still fails.
     */
    PayloadConnection tolerant(Duration silence) {
        try {
            socket.setSoTimeout((int) silence.toMillis());
        } catch (SocketException e) {
            throw new TransferFailure(description + ": cannot set the read timeout: " + e, e);
        }
        baseBudget = silence;
        return this;
    }

    /** The budget of each following operation, instead of {@link #budgetFor} its size. */
    PayloadConnection budget(Duration budget) {
        this.budget = budget;
        return this;
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** WHO: the backend's answer line. */
    Answer who() {
        return step("WHO", 0, () -> {
            command("WHO");
            return Answer.parse(readLine());
        });
    }

    /** SEND: n bytes from the server, checked. */
    void receive(long length) {
        long seed = ThreadLocalRandom.current().nextLong();
        step("SEND " + length, length, () -> {
            command("SEND " + length + " " + seed);
            expect(seed, length);
            return null;
        });
    }

    /** SINK: n bytes to the server, which must have received exactly them. */
    void upload(long length) {
        long seed = ThreadLocalRandom.current().nextLong();
        step("SINK " + length, length, () -> {
            command("SINK " + length);
            progressUnit = "bytes sent";
            PayloadStream.write(new CountingOutput(), seed, length);
            progressUnit = "bytes sent, waiting for the digest";
            String digest = readLine();
            String expected = HexFormat.of().formatHex(PayloadStream.sha256(seed, length));
            if (!digest.equals(expected)) {
                throw new WrongBytes(description + ": the server received other bytes than the " + length
                        + " sent: SHA-256 " + digest + ", sent " + expected);
            }
            return null;
        });
    }

    /** CLOSE: n bytes, then the server's FIN; then this side closes. */
    void receiveUntilServerCloses(long length) {
        long seed = ThreadLocalRandom.current().nextLong();
        step("CLOSE " + length, length, () -> {
            command("CLOSE " + length + " " + seed);
            expect(seed, length);
            expectEnd();
            socket.close();
            return null;
        });
    }

    /** RESET: the server's RST must arrive as a reset, not as a FIN or silence. */
    void serverResets() {
        step("RESET", 0, () -> {
            command("RESET");
            try {
                int b = in.read();
                throw new TransferFailure(description + ": expected a reset from the server, got "
                        + (b < 0 ? "an orderly close (FIN)" : "a byte"));
            } catch (SocketException reset) {
                if (!String.valueOf(reset.getMessage()).contains("reset")) {
                    throw reset;
                }
            }
            socket.close();
            return null;
        });
    }

    /** HALF: this side sends its FIN first, then must still receive n bytes and the server's FIN. */
    void halfClose(long length) {
        long seed = ThreadLocalRandom.current().nextLong();
        step("HALF " + length, length, () -> {
            command("HALF " + length + " " + seed);
            socket.shutdownOutput();
            expect(seed, length);
            expectEnd();
            socket.close();
            return null;
        });
    }

    /** Sends this side's FIN first, then waits for the server's FIN (TIME_WAIT follows on this side). */
    void closeFirstAndAwaitTheServersClose() {
        step("client FIN first", 0, () -> {
            socket.shutdownOutput();
            expectEnd();
            socket.close();
            return null;
        });
    }

    /** Closes with SO_LINGER 0: an RST instead of a FIN, and no TIME_WAIT on this side. */
    void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            throw new TransferFailure(description + ": reset failed: " + e, e);
        }
    }

    private interface Step<T> {
        T run() throws IOException;
    }

    private <T> T step(String what, long bytes, Step<T> body) {
        progress = 0;
        progressUnit = "bytes received";
        Duration limit = budget != null ? budget : budgetFor(baseBudget, bytes);
        try (Watchdog watchdog = Watchdog.arm(socket, limit)) {
            try {
                return body.run();
            } catch (IOException e) {
                String reason = watchdog.fired() ? "not done within " + Millis.of(limit) : e.toString();
                throw new TransferFailure(description + ": " + what + " failed after " + progress + " " + progressUnit
                        + ": " + reason, e);
            }
        }
    }

    private void command(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads exactly {@code length} bytes and compares them with the stream of {@code seed}. */
    private void expect(long seed, long length) throws IOException {
        MessageDigest received = PayloadStream.sha256();
        MessageDigest expected = PayloadStream.sha256();
        PayloadStream stream = new PayloadStream(seed);
        // Sized to the transfer: storms open thousands of connections a second for a few bytes each.
        int chunk = (int) Math.max(1, Math.min(CHUNK, length));
        byte[] buffer = new byte[chunk];
        byte[] reference = new byte[chunk];
        long firstWrong = -1;
        while (progress < length) {
            int n = in.read(buffer, 0, (int) Math.min(chunk, length - progress));
            if (n < 0) {
                throw new TransferFailure(description + ": the connection ended after " + progress + " of " + length
                        + " bytes");
            }
            stream.fill(reference, 0, n);
            received.update(buffer, 0, n);
            expected.update(reference, 0, n);
            if (firstWrong < 0) {
                int mismatch = Arrays.mismatch(buffer, 0, n, reference, 0, n);
                if (mismatch >= 0) {
                    firstWrong = progress + mismatch;
                }
            }
            progress += n;
        }
        HexFormat hex = HexFormat.of();
        String got = hex.formatHex(received.digest());
        String want = hex.formatHex(expected.digest());
        if (!got.equals(want)) {
            throw new WrongBytes(description + ": " + length + " bytes received with SHA-256 " + got + ", sent "
                    + want + "; first wrong byte at offset " + firstWrong);
        }
    }

    /** After the last expected byte the server must close: no extra bytes, no reset. */
    private void expectEnd() throws IOException {
        int b = in.read();
        if (b >= 0) {
            throw new TransferFailure(description + ": bytes beyond the " + progress + " expected");
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new TransferFailure(description + ": the connection ended in the middle of a line: '"
                        + line.toString(StandardCharsets.US_ASCII) + "'");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** The socket's output, counting what was written for failure messages. */
    private final class CountingOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            out.write(b);
            progress++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            progress += length;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
