package dev.sluice.control.ipvs;

import dev.sluice.control.model.Cidr;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the IPVS datapath in this thread's network namespace: dummy link, sysctls, scheduler, reconciler. */
public final class IpvsDatapath {
    private static final Logger LOG = LoggerFactory.getLogger(IpvsDatapath.class);

    private IpvsDatapath() {}

    /**
     * @param state where the owned virtual services are recorded, and an earlier agent's are adopted from
     * @param resources where what must be closed at shutdown is added
     * @throws dev.sluice.ffm.ipvs.IpvsUnavailableException when the kernel has no IPVS
     */
    public static IpvsReconciler start(boolean masqueradeAll, List<Cidr> clusterCidrs, Path procSys,
                                       IpvsStateStore state, List<AutoCloseable> resources) {
        NetlinkIpvsKernel kernel = NetlinkIpvsKernel.open(NetlinkIpvsKernel.DUMMY);
        resources.add(kernel);
        IpvsSysctls.apply(procSys, NetlinkIpvsKernel.DUMMY);
        // Maglev keeps most clients on their backend when the set changes; older kernels lack it.
        String scheduler = kernel.schedulerAvailable("mh") ? "mh" : "rr";
        LOG.info("IPVS datapath: scheduler {}, VIPs on {}, rules in table inet {}", scheduler,
                NetlinkIpvsKernel.DUMMY, NftablesRules.TABLE);
        return new IpvsReconciler(kernel, new NftablesFirewall(List.of(), masqueradeAll, clusterCidrs), scheduler, state);
    }
}
