package dev.sluice.control.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KubeProxyConfigFileTest {
    @TempDir
    Path dir;

    /** Options as picocli leaves them for {@code args}, and the flags that were given. */
    private record Parsed(AgentOptions options, Set<String> given) {
    }

    private static Parsed parse(String... args) {
        SluiceAgent agent = new SluiceAgent();
        CommandLine commandLine = new CommandLine(agent);
        CommandLine.ParseResult result = commandLine.parseArgs(args);
        Set<String> given = new java.util.HashSet<>();
        result.matchedOptions().forEach(option -> given.add(option.longestName()));
        return new Parsed(agent.options, given);
    }

    private Path file(String yaml) throws IOException {
        Path file = dir.resolve("config.conf");
        Files.writeString(file, yaml);
        return file;
    }

    private static String config(String fields) {
        return "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n" + fields;
    }

    @Test
    void kubeadmsConfigMapJustWorks() throws IOException {
        Path file = dir.resolve("kubeadm.conf");
        try (InputStream in = getClass().getResourceAsStream("/kube-proxy/kubeadm-config.conf")) {
            Files.copy(in, file);
        }
        Parsed parsed = parse();
        Duration syncPeriod = parsed.options.syncPeriod;

        KubeProxyConfigFile.Outcome outcome = KubeProxyConfigFile.apply(file, parsed.options, parsed.given::contains);

        assertThat(outcome.applied()).containsExactly(
                Map.entry("--kubeconfig", "/var/lib/kube-proxy/kubeconfig.conf"),
                Map.entry("--cluster-cidrs", "10.244.0.0/16"));
        assertThat(outcome.ignored()).isEmpty();
        assertThat(outcome.unknown()).isEmpty();
        assertThat(parsed.options.kubeconfig).isEqualTo(Path.of("/var/lib/kube-proxy/kubeconfig.conf"));
        assertThat(parsed.options.clusterCidrs).containsExactly("10.244.0.0/16");
        // Zero values keep sluice's defaults, as they keep kube-proxy's.
        assertThat(parsed.options.syncPeriod).isEqualTo(syncPeriod);
        assertThat(parsed.options.metricsBindAddress).isEqualTo("127.0.0.1:10249");
        assertThat(parsed.options.healthzBindAddress).isEqualTo("0.0.0.0:10256");
    }

    @Test
    void fieldsWithAMeaningSetTheirFlagsAndCommandLineFlagsWin() throws IOException {
        Path file = file(config("""
                hostnameOverride: node-from-file
                bindAddress: 192.168.0.10
                healthzBindAddress: 0.0.0.0:10266
                metricsBindAddress: "::1"
                clusterCIDR: 10.244.0.0/16,fd00:10:244::/56
                nodePortAddresses: [192.168.0.0/24, "2001:db8::/64"]
                mode: nftables
                iptables:
                  syncPeriod: 10s
                nftables:
                  syncPeriod: 1m30s
                logging:
                  verbosity: 4
                """));
        Parsed parsed = parse("--node-name", "node-from-flag");

        KubeProxyConfigFile.Outcome outcome = KubeProxyConfigFile.apply(file, parsed.options, parsed.given::contains);

        assertThat(parsed.options.nodeName).isEqualTo("node-from-flag");
        assertThat(outcome.ignored()).containsExactly("hostnameOverride (--node-name given on the command line wins)",
                "iptables.syncPeriod (mode is not iptables)");
        assertThat(parsed.options.nodeAddresses).containsExactly("192.168.0.10");
        assertThat(parsed.options.healthzBindAddress).isEqualTo("0.0.0.0:10266");
        assertThat(parsed.options.metricsBindAddress).isEqualTo("[::1]:10249");
        assertThat(parsed.options.clusterCidrs).containsExactly("10.244.0.0/16", "fd00:10:244::/56");
        assertThat(parsed.options.nodePortAddresses).containsExactly("192.168.0.0/24", "2001:db8::/64");
        assertThat(parsed.options.syncPeriod).isEqualTo(Duration.ofSeconds(90));
        assertThat(parsed.options.verbosity).isEqualTo(4);
    }

    @Test
    void whatSluiceDoesNotDoIsRefusedNamingEveryField() throws IOException {
        Path file = file(config("""
                enableProfiling: true
                detectLocalMode: NodeCIDR
                nodePortAddresses: [localhost]
                iptables:
                  masqueradeAll: true
                  localhostNodePorts: true
                winkernel:
                  enableDSR: true
                logging:
                  format: json
                """));
        Parsed parsed = parse();

        assertThatThrownBy(() -> KubeProxyConfigFile.apply(file, parsed.options, parsed.given::contains))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("kube-proxy configuration " + file + ": ")
                .hasMessageContaining("enableProfiling: true is not supported")
                .hasMessageContaining("detectLocalMode: 'NodeCIDR' is not supported")
                .hasMessageContaining("nodePortAddresses: 'localhost' is not served")
                .hasMessageContaining("iptables.masqueradeAll: true is not supported")
                .hasMessageContaining("iptables.localhostNodePorts: true is not supported")
                .hasMessageContaining("winkernel.enableDSR: true is not supported")
                .hasMessageContaining("logging.format: 'json' is not supported");
    }

    @Test
    void kubeProxysOwnMachineryIsIgnoredAndSaidSo() throws IOException {
        Path file = file(config("""
                mode: ipvs
                ipvs:
                  scheduler: rr
                  strictARP: true
                iptables:
                  masqueradeBit: 14
                nftables:
                  masqueradeAll: true
                conntrack:
                  maxPerCore: 32768
                  tcpEstablishedTimeout: 24h0m0s
                oomScoreAdj: -999
                featureGates:
                  SomeGate: true
                someFieldFromTheFuture: 1
                """));
        Parsed parsed = parse();

        KubeProxyConfigFile.Outcome outcome = KubeProxyConfigFile.apply(file, parsed.options, parsed.given::contains);

        assertThat(outcome.applied()).isEmpty();
        assertThat(outcome.ignored()).extracting(line -> line.substring(0, line.indexOf(' '))).containsExactly(
                "ipvs.scheduler", "ipvs.strictARP", "iptables.masqueradeBit", "nftables.masqueradeAll",
                "conntrack.maxPerCore", "conntrack.tcpEstablishedTimeout", "oomScoreAdj", "featureGates");
        assertThat(outcome.unknown()).containsExactly("someFieldFromTheFuture");
    }

    @Test
    void anotherKindOrVersionIsRefused() throws IOException {
        Path file = file("""
                apiVersion: kubeproxy.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                """);
        Parsed parsed = parse();

        assertThatThrownBy(() -> KubeProxyConfigFile.apply(file, parsed.options, parsed.given::contains))
                .hasMessageContaining("apiVersion: 'kubeproxy.config.k8s.io/v1beta1' is not kubeproxy.config.k8s.io/v1alpha1")
                .hasMessageContaining("kind: 'KubeletConfiguration' is not KubeProxyConfiguration");
    }

    @Test
    void aMalformedDurationNamesItsField() throws IOException {
        Path file = file(config("iptables:\n  syncPeriod: soon\n"));
        Parsed parsed = parse();

        assertThatThrownBy(() -> KubeProxyConfigFile.apply(file, parsed.options, parsed.given::contains))
                .hasMessageContaining("iptables.syncPeriod: 'soon' is not a duration");
    }

    @Test
    void goDurations() {
        assertThat(GoDuration.parse("1h0m0s")).isEqualTo(Duration.ofHours(1));
        assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDuration.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GoDuration.parse("0")).isZero();
        for (String bad : List.of("", "5", "1x", "s", "1s5")) {
            assertThatThrownBy(() -> GoDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
