package dev.sluice.control.agent;

import dev.sluice.control.model.IpAddresses;
import dev.sluice.control.model.NodeContext;
import dev.sluice.control.model.NodeContexts;
import io.fabric8.kubernetes.api.model.Node;
import java.net.InetAddress;
import java.util.List;

/**
 * The node's addresses for the IPVS datapath: as {@link NodeSettings} selects them (flags first,
 * else the Node's InternalIPs, filtered by --nodeport-addresses), with nothing written to BPF.
 */
final class IpvsNodeSettings implements NodeProgramming {
    private final String nodeName;
    private final List<InetAddress> flaggedAddresses;
    private final NodePortAddresses nodePortAddresses;

    IpvsNodeSettings(AgentOptions options, String nodeName) {
        this.nodeName = nodeName;
        this.flaggedAddresses = options.nodeAddresses == null ? List.of()
                : options.nodeAddresses.stream().filter(a -> !a.isBlank()).map(IpvsNodeSettings::address).toList();
        this.nodePortAddresses = NodePortAddresses.parse(options.nodePortAddresses);
    }

    @Override
    public NodeContext apply(Node node) {
        NodeContext fromNode = NodeContexts.of(nodeName, node, NodeSettings.PROXY_NAME);
        List<InetAddress> addresses = flaggedAddresses.isEmpty() ? fromNode.nodeAddresses() : flaggedAddresses;
        return new NodeContext(nodeName, fromNode.zone(), nodePortAddresses.select(addresses), NodeSettings.PROXY_NAME);
    }

    @Override
    public void retry() {
        // Nothing is written: nothing to retry.
    }

    private static InetAddress address(String text) {
        try {
            return IpAddresses.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--node-addresses: '" + text + "' is not an IP address", e);
        }
    }
}
