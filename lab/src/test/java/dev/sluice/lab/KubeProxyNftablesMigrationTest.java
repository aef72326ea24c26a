package dev.sluice.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The same switch from a node whose kube-proxy ran in nftables mode: its services live in the
 * tables {@code ip kube-proxy} and {@code ip6 kube-proxy}, which the cleanup deletes whole.
 */
class KubeProxyNftablesMigrationTest extends KubeProxyMigrationTest {
    @Override
    protected void loadKubeProxyRules(String node) throws IOException {
        NetworkNamespace namespace = lab.topology().nodes().get(node);
        for (boolean ipv6 : List.of(false, true)) {
            Path input = Lab.RUN_DIRECTORY.resolve(node + (ipv6 ? "-kube-proxy6.nft" : "-kube-proxy.nft"));
            Files.writeString(input, kubeProxyRules(ipv6).nftInput());
            namespace.exec("nft", "-f", input.toString());
        }
        assertThat(namespace.exec("nft", "list", "tables")).contains("table ip kube-proxy", "table ip6 kube-proxy");
    }

    @Override
    protected void assertKubeProxyRulesGone(String node) {
        NetworkNamespace namespace = lab.topology().nodes().get(node);
        assertThat(namespace.exec("nft", "list", "tables")).as("what kube-proxy left on " + node).doesNotContain("kube-proxy");
    }
}
