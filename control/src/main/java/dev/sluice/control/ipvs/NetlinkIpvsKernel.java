package dev.sluice.control.ipvs;

import dev.sluice.ffm.Errno;
import dev.sluice.ffm.ipvs.IpvsClient;
import dev.sluice.ffm.ipvs.IpvsDestination;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import dev.sluice.ffm.netlink.LinkAddress;
import dev.sluice.ffm.netlink.NetlinkException;
import dev.sluice.ffm.netlink.Rtnetlink;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@link IpvsKernel} over generic netlink (IPVS) and rtnetlink (the dummy link), in this thread's namespace. */
public final class NetlinkIpvsKernel implements IpvsKernel, AutoCloseable {
    /** The dummy interface carrying the VIPs, as kube-proxy's kube-ipvs0. */
    public static final String DUMMY = "sluice-ipvs0";

    private final IpvsClient ipvs;
    private final Rtnetlink rtnetlink;
    private final String dummy;

    private NetlinkIpvsKernel(IpvsClient ipvs, Rtnetlink rtnetlink, String dummy) {
        this.ipvs = ipvs;
        this.rtnetlink = rtnetlink;
        this.dummy = dummy;
    }

    /**
     * Opens IPVS (loading ip_vs) and creates the dummy link when missing, up.
     *
     * @throws dev.sluice.ffm.ipvs.IpvsUnavailableException when the kernel has no IPVS
     */
    public static NetlinkIpvsKernel open(String dummy) {
        IpvsClient ipvs = IpvsClient.open();
        Rtnetlink rtnetlink = null;
        try {
            rtnetlink = Rtnetlink.open();
            rtnetlink.ensureDummy(dummy);
            rtnetlink.setUp(dummy);
            return new NetlinkIpvsKernel(ipvs, rtnetlink, dummy);
        } catch (RuntimeException e) {
            ipvs.close();
            if (rtnetlink != null) {
                rtnetlink.close();
            }
            throw e;
        }
    }

    public boolean schedulerAvailable(String name) {
        return ipvs.schedulerAvailable(name);
    }

    @Override
    public List<IpvsService> services() {
        return ipvs.services();
    }

    @Override
    public Optional<IpvsService> service(IpvsServiceKey key) {
        return ipvs.service(key);
    }

    @Override
    public List<IpvsDestination> destinations(IpvsServiceKey key) {
        try {
            return ipvs.destinations(key).stream().map(IpvsDestination::withoutStats).toList();
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ESRCH) {
                return List.of();
            }
            throw e;
        }
    }

    @Override
    public void addService(IpvsService service) {
        ipvs.addService(service);
    }

    @Override
    public void updateService(IpvsService service) {
        ipvs.updateService(service);
    }

    @Override
    public void deleteService(IpvsServiceKey key) {
        ipvs.deleteService(key);
    }

    @Override
    public void addDestination(IpvsServiceKey key, IpvsDestination destination) {
        ipvs.addDestination(key, destination);
    }

    @Override
    public void updateDestination(IpvsServiceKey key, IpvsDestination destination) {
        ipvs.updateDestination(key, destination);
    }

    @Override
    public void deleteDestination(IpvsServiceKey key, IpvsDestination destination) {
        ipvs.deleteDestination(key, destination);
    }

    @Override
    public Set<InetAddress> vips() {
        Set<InetAddress> vips = new LinkedHashSet<>();
        for (LinkAddress address : rtnetlink.addresses(dummy)) {
            if (!address.address().isLinkLocalAddress()) {
                vips.add(address.address());
            }
        }
        return vips;
    }

    @Override
    public void addVip(InetAddress address) {
        rtnetlink.addAddress(dummy, address);
    }

    @Override
    public void removeVip(InetAddress address) {
        rtnetlink.removeAddress(dummy, address);
    }

    @Override
    public void close() {
        ipvs.close();
        rtnetlink.close();
    }
}
