package dev.sluice.cli;

import dev.sluice.ffm.Errno;
import dev.sluice.ffm.ipvs.IpvsClient;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.netlink.NetlinkException;
import java.util.ArrayList;
import java.util.List;

/**
 * One read of the kernel's IPVS table in the CLI's network namespace, through generic netlink
 * (the agent's own client; never ipvsadm). Read only.
 */
final class IpvsTable {
    /** A virtual service with its real servers, their connection counts included. */
    record Entry(IpvsService service, List<IpvsDestination> destinations) {
        Entry {
            destinations = List.copyOf(destinations);
        }
    }

    private IpvsTable() {
    }

    /** Every address-based virtual service and its destinations. */
    static List<Entry> read(String stateFile) {
        try (IpvsClient ipvs = IpvsClient.open()) {
            List<Entry> entries = new ArrayList<>();
            for (IpvsService service : ipvs.services()) {
                List<IpvsDestination> destinations;
                try {
                    destinations = ipvs.destinations(service.key());
                } catch (NetlinkException e) {
                    if (e.errno() != Errno.ESRCH) {
                        throw e;
                    }
                    // Deleted between the two dumps: it is not there any more.
                    continue;
                }
                entries.add(new Entry(service, destinations));
            }
            return entries;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                throw new CliException(ExitCodes.PERMISSION, "cannot read the IPVS table: " + e.getMessage()
                        + " (run as root: reading IPVS needs CAP_NET_ADMIN)", e);
            }
            throw new CliException(ExitCodes.FAILURE, "cannot read the IPVS table (" + stateFile
                    + " says this node runs the IPVS datapath): " + e.getMessage(), e);
        }
    }
}
