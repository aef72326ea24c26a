package dev.sluice.control.ipvs;

import dev.sluice.ffm.ipvs.IpvsClient;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import dev.sluice.ffm.netlink.LinkAddress;
import dev.sluice.ffm.netlink.Rtnetlink;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what the IPVS datapath left on this node: the virtual services it owns, the dummy
 * link, table inet sluice_ipvs and the state file. For {@code --cleanup} and for an agent starting
 * on eBPF (switching modes). A service is sluice's when its address is on the dummy link or the
 * state file lists it (NodePorts are on node addresses, so only the file knows them); any other
 * service is left alone. IPVS is opened only when the link or a non-empty state file exists, so
 * an eBPF node that never ran IPVS never loads ip_vs.
 */
public final class IpvsCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(IpvsCleanup.class);

    private IpvsCleanup() {}

    /**
     * @param nftPrefix what nft runs behind (empty in production)
     * @param always remove the table even when neither link nor state file is there (--cleanup);
     *     false at an eBPF start, where only what the IPVS datapath left makes nft run at all
     * @return one line per failure
     */
    public static List<String> run(String dummy, IpvsStateFile state, List<String> nftPrefix, boolean always) {
        List<String> failures = new ArrayList<>();
        List<OwnedService> recorded = List.of();
        try {
            recorded = state.read();
        } catch (RuntimeException e) {
            failures.add(e.getMessage() + " (only the services on " + dummy + "'s VIPs are removed)");
        }
        boolean stateFound = state.exists();
        boolean linkFound = false;
        boolean servicesRemoved = true;
        try (Rtnetlink rtnetlink = Rtnetlink.open()) {
            Set<InetAddress> vips = new HashSet<>();
            if (rtnetlink.link(dummy).isPresent()) {
                linkFound = true;
                for (LinkAddress address : rtnetlink.addresses(dummy)) {
                    vips.add(address.address());
                }
            }
            if (linkFound || !recorded.isEmpty()) {
                servicesRemoved = removeServices(dummy, vips, recorded, failures);
            }
            if (linkFound) {
                rtnetlink.deleteLink(dummy);
                LOG.info("removed link {}", dummy);
            }
        } catch (RuntimeException e) {
            servicesRemoved = false;
            failures.add("link " + dummy + ": cannot remove: " + e.getMessage());
        }
        if (stateFound && servicesRemoved) {
            // Kept when a removal failed: the next --cleanup or agent still knows what is sluice's.
            try {
                state.delete();
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        if (!always && !linkFound && !stateFound) {
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

    /** @return whether every owned service is gone */
    private static boolean removeServices(String dummy, Set<InetAddress> vips, List<OwnedService> recorded,
                                          List<String> failures) {
        int removed = 0;
        int failed = 0;
        try (IpvsClient ipvs = IpvsClient.open()) {
            for (IpvsServiceKey key : owned(ipvs.services(), vips, recorded)) {
                try {
                    if (ipvs.deleteService(key)) {
                        removed++;
                    }
                } catch (RuntimeException e) {
                    failed++;
                    failures.add("IPVS service " + key + ": cannot remove: " + e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            failures.add("IPVS services of " + dummy + "'s VIPs and the state file: cannot remove: " + e.getMessage());
            return false;
        }
        LOG.info("removed the IPVS datapath's {} virtual services", removed);
        return failed == 0;
    }

    /** The services in the kernel that are sluice's: on a dummy VIP or recorded in the state file. */
    static List<IpvsServiceKey> owned(Collection<IpvsService> inKernel, Set<InetAddress> vips,
                                      Collection<OwnedService> recorded) {
        Set<IpvsServiceKey> listed = recorded.stream().map(OwnedService::key).collect(Collectors.toSet());
        return inKernel.stream().map(IpvsService::key)
                .filter(key -> vips.contains(key.address()) || listed.contains(key))
                .toList();
    }
}
