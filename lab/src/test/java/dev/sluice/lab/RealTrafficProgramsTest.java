package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real programs through sluice, not the suite's own client: curl downloading from a pod's HTTP
 * server through a NodePort and a ClusterIP, and dig asking a real DNS server (dnsmasq, in web-a0
 * and web-b0, each behind a kube-dns-like service with UDP and TCP port 53) from pods on both
 * nodes. What they got is checked against what the servers sent.
 */
class RealTrafficProgramsTest extends RealTrafficTest {
    private final List<Dnsmasq> dnsServers = new ArrayList<>();
    private final AtomicInteger downloads = new AtomicInteger();

    @BeforeAll
    void startDnsServers() {
        for (int pod : RealTrafficManifest.EDGE_PODS) {
            dnsServers.add(Dnsmasq.start(lab.pods().get(pod), lab.topology().runDirectory()));
        }
    }

    @AfterAll
    void stopDnsServers() {
        dnsServers.forEach(Dnsmasq::close);
    }

    static Stream<Arguments> downloads() {
        List<TrafficPath> paths = new ArrayList<>();
        for (boolean ipv6 : List.of(false, true)) {
            paths.addAll(TrafficPath.nodePorts(ipv6).subList(0, 2));
            paths.add(TrafficPath.clusterIp("web-a1", 0, true, ipv6));
            paths.add(TrafficPath.clusterIp("web-a1", 2, false, ipv6));
        }
        return paths.stream().flatMap(path -> Stream.of(612L, 64 * 1024L).map(size -> Arguments.of(path, size)));
    }

    @ParameterizedTest(name = "{1} B over {0}")
    @MethodSource("downloads")
    void curlDownloadsTheWholeBody(TrafficPath path, long size) throws IOException {
        boolean nodePort = path.kind().startsWith("NodePort");
        String host = path.ipv6() ? "[" + path.address() + "]" : path.address();
        int port = nodePort ? RealTrafficManifest.httpNodePort(path.backend(), path.ipv6()) : RealTrafficManifest.HTTP_PORT;
        String url = "http://" + host + ":" + port + Backends.BYTES_PATH + size;
        Path body = lab.topology().runDirectory().resolve("curl-" + downloads.incrementAndGet() + ".body");
        try {
            Command.Result curl = Command.execute("ip", "netns", "exec", path.origin(lab).name(), "curl", "--silent",
                    "--show-error", "--globoff", "--fail", "--connect-timeout", "2", "--max-time", "3",
                    "--output", body.toString(), "--write-out", "%{http_code} %{size_download}", url);
            assertThat(curl.exitCode()).as("curl %s from %s: %s %s", url, path.from(), curl.stdout(), curl.stderr())
                    .isZero();
            byte[] received = Files.readAllBytes(body);
            HexFormat hex = HexFormat.of();
            assertThat(hex.formatHex(PayloadStream.sha256().digest(received)))
                    .as("SHA-256 of the %d bytes curl got from %s (%s)", received.length, url, path)
                    .isEqualTo(hex.formatHex(PayloadStream.sha256(size, size)));
        } finally {
            Files.deleteIfExists(body);
        }
    }

    static Stream<Arguments> queries() {
        List<Arguments> queries = new ArrayList<>();
        for (String from : List.of("web-a1", "web-b1")) {
            for (int server : RealTrafficManifest.EDGE_PODS) {
                for (String name : Dnsmasq.NAMES) {
                    for (String transport : List.of("UDP", "TCP")) {
                        boolean local = (server < 2) == from.startsWith("web-a");
                        queries.add(Arguments.of(from, server, local ? "local" : "remote", name, transport));
                    }
                }
            }
        }
        return queries.stream();
    }

    @ParameterizedTest(name = "{3} over {4} from {0} to the DNS service of pod {1} ({2})")
    @MethodSource("queries")
    void digGetsTheWholeAnswerFromTheDnsService(String from, int server, String locality, String name, String transport) {
        Pod dnsPod = lab.pods().get(server);
        boolean tcp = transport.equals("TCP");
        // Control: the same query straight to the pod's address, so a failure below is the service's.
        assertThat(Dig.txt(pod(from).namespace(), dnsPod.address(), name, tcp))
                .as("control: %s TXT from %s straight to %s over %s", name, from, dnsPod.address(), transport)
                .containsExactlyInAnyOrderElementsOf(Dnsmasq.records(dnsPod.name(), name));
        List<List<String>> answer = Dig.txt(pod(from).namespace(), RealTrafficManifest.dnsIp(server), name, tcp);
        assertThat(answer).as("%s TXT from %s through %s (dnsmasq in %s, %s) over %s", name, from,
                        RealTrafficManifest.dnsIp(server), dnsPod.name(), locality, transport)
                .containsExactlyInAnyOrderElementsOf(Dnsmasq.records(dnsPod.name(), name));
    }
}
