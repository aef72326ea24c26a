package dev.sluice.lab;

import dev.sluice.ffm.sys.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server in a pod: Debian's dnsmasq in the foreground, serving only TXT records of its
 * own under "lab." (no upstream servers, so it never sends a query anywhere), on port 53 of the
 * pod's IPv4 address, UDP and TCP. Its answers come in three sizes: {@code small.lab} about 100 B
 * on the wire, {@code medium.lab} about 1 KiB, {@code large.lab} about 4 KiB (larger than an
 * Ethernet frame, so over UDP it travels as IP fragments). Each string names the pod, so an
 * answer also says who gave it.
 */
final class Dnsmasq implements AutoCloseable {
    static final List<String> NAMES = List.of("small.lab", "medium.lab", "large.lab");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Pod pod;
    private final Process process;
    private final Path log;

    private Dnsmasq(Pod pod, Process process, Path log) {
        this.pod = pod;
        this.process = process;
        this.log = log;
    }

    /** Starts it and returns once it answers a query straight to the pod's address. */
    static Dnsmasq start(Pod pod, Path runDirectory) {
        Path config = runDirectory.resolve("dnsmasq-" + pod.name() + ".conf");
        Path log = runDirectory.resolve("dnsmasq-" + pod.name() + ".log");
        List<String> lines = new ArrayList<>(List.of(
                "port=53", "listen-address=" + pod.address(), "bind-interfaces",
                "no-resolv", "no-hosts", "local=/lab/", "user=root", "pid-file=",
                // dig's +bufsize=4096 must get the whole 4 KiB answer over UDP, not a truncation.
                "edns-packet-max=4096"));
        for (String name : NAMES) {
            for (List<String> record : records(pod.name(), name)) {
                lines.add("txt-record=" + name + "," + String.join(",", record.stream().map(s -> "\"" + s + "\"").toList()));
            }
        }
        Process process;
        try {
            Files.createDirectories(runDirectory);
            Files.write(config, lines);
            process = new ProcessBuilder("ip", "netns", "exec", pod.namespace().name(), "dnsmasq", "--keep-in-foreground",
                    "--conf-file=" + config, "--log-facility=-")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start dnsmasq in " + pod.name(), e);
        }
        Dnsmasq server = new Dnsmasq(pod, process, log);
        try {
            server.awaitAnswering(Duration.ofSeconds(10));
            return server;
        } catch (RuntimeException | Error failure) {
            server.close();
            throw failure;
        }
    }

    /**
     * The TXT records of {@code name} for a pod, each a list of strings: small one record of one
     * 60-character string, medium one of four 240-character strings, large four of four
     * 240-character strings.
     */
    static List<List<String>> records(String pod, String name) {
        int records = name.equals("large.lab") ? 4 : 1;
        int strings = name.equals("small.lab") ? 1 : 4;
        int length = name.equals("small.lab") ? 60 : 240;
        List<List<String>> result = new ArrayList<>();
        for (int r = 0; r < records; r++) {
            List<String> record = new ArrayList<>();
            for (int s = 0; s < strings; s++) {
                String head = pod + "/" + name + "/" + r + "/" + s + "/";
                StringBuilder text = new StringBuilder(head);
                for (int i = 0; text.length() < length; i++) {
                    text.append((char) ('a' + (r * 7 + s * 3 + i) % 26));
                }
                record.add(text.toString());
            }
            result.add(record);
        }
        return result;
    }

    private void awaitAnswering(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dnsmasq in " + pod.name() + " exited with " + process.exitValue()
                        + ": " + logText());
            }
            Command.Result probe = Command.execute("ip", "netns", "exec", pod.namespace().name(), "dig",
                    "@" + pod.address(), "small.lab", "TXT", "+short", "+tries=1", "+time=1");
            if (probe.exitCode() == 0 && probe.stdout().contains(pod.name())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("dnsmasq in " + pod.name() + " did not answer within " + timeout
                        + ": " + probe.stdout() + probe.stderr() + "; log: " + logText());
            }
            // Refused until its socket is bound; a short pause keeps this from spawning digs back to back.
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL if it lingers; `ip netns exec` exec'd dnsmasq, so this is dnsmasq's own pid. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
