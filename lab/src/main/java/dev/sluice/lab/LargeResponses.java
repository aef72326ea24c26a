package dev.sluice.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run command's proof that sluice carries more than tiny answers: 64 KiB from the payload
 * servers through each node's NodePort, until a local and a remote backend have each sent one,
 * compared byte for byte with what the server sent.
 */
final class LargeResponses {
    static final int BYTES = 64 * 1024;
    private static final int ATTEMPTS = 64;
    private static final int TIMEOUT_MILLIS = 5000;

    private record Transfer(String pod, String backend, int received, boolean intact, long millis) {
    }

    private LargeResponses() {
    }

    static void show(Lab lab, PrintStream out) {
        for (String node : List.of("node-a", "node-b")) {
            String address = LabTopology.NODE_ADDRESSES.get(node);
            out.printf("client -> %s:%d/tcp (NodePort via %s), %d KiB responses%n", address,
                    LabManifest.PAYLOAD_NODE_PORT, node, BYTES / 1024);
            out.printf("  %-10s %-8s %-10s %-8s %s%n", "POD", "BACKEND", "BYTES", "INTACT", "TIME");
            Map<String, Transfer> byBackend = new LinkedHashMap<>();
            for (int seed = 1; seed <= ATTEMPTS && byBackend.size() < 2; seed++) {
                Transfer transfer = fetch(lab, node, address, seed);
                byBackend.putIfAbsent(transfer.backend(), transfer);
            }
            byBackend.values().forEach(t -> out.printf("  %-10s %-8s %-10d %-8s %d ms%n", t.pod(), t.backend(),
                    t.received(), t.intact() ? "yes" : "NO", t.millis()));
            out.println();
        }
    }

    private static Transfer fetch(Lab lab, String node, String address, long seed) {
        long started = System.nanoTime();
        return lab.client().namespace().call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, LabManifest.PAYLOAD_NODE_PORT), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.getOutputStream().write(("WHO\nSEND " + BYTES + " " + seed + "\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                String answer = PayloadServer.readLine(in);
                if (answer == null) {
                    throw new IOException(address + " closed the connection before answering WHO");
                }
                String pod = Answer.parse(answer).pod();
                byte[] body = in.readNBytes(BYTES);
                boolean intact = Arrays.equals(body, PayloadStream.bytes(seed, BYTES));
                String backend = lab.pods().stream().filter(p -> p.name().equals(pod)).findFirst()
                        .map(p -> p.node().equals(node) ? "local" : "remote").orElse("?");
                return new Transfer(pod, backend, body.length, intact, (System.nanoTime() - started) / 1_000_000);
            }
        });
    }
}
