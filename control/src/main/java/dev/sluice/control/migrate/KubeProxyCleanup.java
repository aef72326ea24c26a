package dev.sluice.control.migrate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --cleanup-kube-proxy}: removes what kube-proxy left on this node (iptables chains in every
 * backend and family, nftables tables, IPVS virtual services, kube-ipvs0 and IPVS ipsets) and nothing else, having first
 * made sure the connections it translated keep their NAT ({@link ConntrackHandoff}). The steps run
 * in order and stop at the first failure, so what comes after a failed step stays untouched.
 */
public final class KubeProxyCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(KubeProxyCleanup.class);

    /** How much each step removed; {@code ipvsObjects} are kube-ipvs0 and ipsets. */
    public record Removed(int iptablesChains, int nftablesTables, int ipvsServices, int ipvsObjects) {
        /** Nothing removed from IPVS's own table (a node without IPVS services). */
        public Removed(int iptablesChains, int nftablesTables, int ipvsObjects) {
            this(iptablesChains, nftablesTables, 0, ipvsObjects);
        }

        public int total() {
            return iptablesChains + nftablesTables + ipvsServices + ipvsObjects;
        }
    }

    private KubeProxyCleanup() {
    }

    /**
     * Cleans this node and returns the process exit code, having logged what it did or what failed.
     * NodePorts are taken from the API server's range {@code nodePortMin}-{@code nodePortMax}.
     */
    public static int runOnThisNode(int nodePortMin, int nodePortMax) {
        try {
            run(NodeTools.local(), nodePortMin, nodePortMax);
            return 0;
        } catch (CleanupFailure failure) {
            LOG.error("kube-proxy cleanup stopped: {}", failure.getMessage());
            return 1;
        }
    }

    /** As {@link #run(NodeTools, int, int)} with the API server's default NodePort range. */
    public static Removed run(NodeTools nodeTools) {
        return run(nodeTools, IpvsOwnership.DEFAULT_NODE_PORT_MIN, IpvsOwnership.DEFAULT_NODE_PORT_MAX);
    }

    public static Removed run(NodeTools nodeTools, int nodePortMin, int nodePortMax) {
        // Before the first removal, if there is one: connections kube-proxy translated keep their NAT.
        NodeTools tools = new ConntrackHandoff(nodeTools);
        int chains = new IptablesCleaner(tools).cleanAll();
        int tables = new NftablesCleaner(tools).clean();
        IpvsCleaner ipvsCleaner = new IpvsCleaner(tools, nodePortMin, nodePortMax);
        int services = ipvsCleaner.removeVirtualServices();
        int ipvs = ipvsCleaner.clean();
        Removed removed = new Removed(chains, tables, services, ipvs);
        if (removed.total() == 0) {
            LOG.info("kube-proxy cleanup: nothing of kube-proxy's found on this node; nothing removed");
        } else {
            LOG.info("kube-proxy cleanup: removed {} iptables chains, {} nftables tables, {} IPVS virtual services, "
                    + "{} IPVS objects (kube-ipvs0, ipsets)", chains, tables, services, ipvs);
        }
        return removed;
    }
}
