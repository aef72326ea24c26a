package dev.sluice.ffm.ipvs;

import dev.sluice.ffm.Errno;
import dev.sluice.ffm.netlink.NetlinkException;

/** The kernel has no IPVS: its generic netlink family is missing even after trying to load ip_vs. */
public final class IpvsUnavailableException extends NetlinkException {
    IpvsUnavailableException(String reason) {
        super("IPVS is not available in this kernel: generic netlink family '" + IpvsUapi.FAMILY
                + "' is not registered and " + reason, Errno.ENOENT);
    }
}
