package dev.sluice.control.ipvs;

import dev.sluice.ffm.ipvs.IpvsClient;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.netlink.LinkAddress;
import dev.sluice.ffm.netlink.Rtnetlink;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what the IPVS datapath left on this node: the virtual services on the dummy link's
 * VIPs, the link, and table inet sluice_ipvs. For {@code --cleanup} and for an agent starting on
 * eBPF (switching modes). IPVS is opened only when the link exists, so an eBPF node never loads ip_vs.
 */
public final class IpvsCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(IpvsCleanup.class);

    private IpvsCleanup() {}

    /**
     * @param nftPrefix what nft runs behind (empty in production)
     * @param always remove the table even when the link is gone (--cleanup); false at an eBPF
     *     start, where only a link left by the IPVS datapath makes nft run at all
     * @return one line per failure
     */
    public static List<String> run(String dummy, List<String> nftPrefix, boolean always) {
        boolean linkFound = false;
        List<String> failures = new java.util.ArrayList<>();
        try (Rtnetlink rtnetlink = Rtnetlink.open()) {
            if (rtnetlink.link(dummy).isPresent()) {
                linkFound = true;
                Set<InetAddress> vips = new HashSet<>();
                for (LinkAddress address : rtnetlink.addresses(dummy)) {
                    vips.add(address.address());
                }
                int removed = 0;
                try (IpvsClient ipvs = IpvsClient.open()) {
                    for (IpvsService service : ipvs.services()) {
                        if (vips.contains(service.key().address()) && ipvs.deleteService(service.key())) {
                            removed++;
                        }
                    }
                } catch (RuntimeException e) {
                    failures.add("IPVS services on " + dummy + "'s VIPs: cannot remove: " + e.getMessage());
                }
                rtnetlink.deleteLink(dummy);
                LOG.info("removed the IPVS datapath's {} virtual services and link {}", removed, dummy);
            }
        } catch (RuntimeException e) {
            failures.add("link " + dummy + ": cannot remove: " + e.getMessage());
        }
        if (!always && !linkFound) {
            return failures;
        }
        if (nftPrefix.isEmpty() && !Files.isExecutable(Path.of("/usr/sbin/nft")) && !Files.isExecutable(Path.of("/sbin/nft"))) {
            LOG.debug("no nft: no table inet {} to remove", NftablesRules.TABLE);
        } else {
            try {
                new NftablesFirewall(nftPrefix, false, List.of()).delete();
            } catch (RuntimeException e) {
                failures.add("table inet " + NftablesRules.TABLE + ": cannot remove: " + e.getMessage());
            }
        }
        failures.forEach(failure -> LOG.warn("{}", failure));
        return failures;
    }
}
