package dev.sluice.ffm.ipvs;

import dev.sluice.ffm.Errno;
import dev.sluice.ffm.netlink.GenericFamily;
import dev.sluice.ffm.netlink.GenericNetlink;
import dev.sluice.ffm.netlink.Netlink;
import dev.sluice.ffm.netlink.NetlinkException;
import dev.sluice.ffm.netlink.NetlinkMessage;
import dev.sluice.ffm.netlink.NetlinkSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's IPVS table over generic netlink, in the network namespace of the thread that
 * opened the client. Threads may share it: their requests take turns on its one socket.
 */
public final class IpvsClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IpvsClient.class);
    // Mark of the throw-away service that asks the kernel for a scheduler; a value no one routes with.
    static final int SCHEDULER_PROBE_FWMARK = 0x5c1ce000;

    private final NetlinkSocket socket;
    private final int familyId;

    private IpvsClient(NetlinkSocket socket, int familyId) {
        this.socket = socket;
        this.familyId = familyId;
    }

    /**
     * Connects to IPVS, loading ip_vs when its family is missing.
     *
     * @throws IpvsUnavailableException when the kernel has no IPVS and it cannot be loaded
     */
    public static IpvsClient open() {
        NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_GENERIC, "IPVS");
        try {
            Optional<GenericFamily> family = GenericNetlink.resolve(socket, IpvsUapi.FAMILY);
            if (family.isEmpty()) {
                String failure = IpvsModule.load();
                family = GenericNetlink.resolve(socket, IpvsUapi.FAMILY);
                if (family.isEmpty()) {
                    throw new IpvsUnavailableException(failure != null ? failure
                            : "module ip_vs loaded but did not register it");
                }
            }
            LOG.debug("IPVS generic netlink family id {}, version {}", family.get().id(), family.get().version());
            return new IpvsClient(socket, family.get().id());
        } catch (RuntimeException failure) {
            socket.close();
            throw failure;
        }
    }

    /** The IPVS version and connection table size. */
    public IpvsInfo info() {
        List<NetlinkMessage> replies = socket.request("read IPVS info", IpvsMessages.command(familyId, IpvsUapi.CMD_GET_INFO));
        if (replies.isEmpty()) {
            throw NetlinkException.malformed("read IPVS info: the kernel acknowledged without answering");
        }
        return IpvsMessages.decodeInfo(replies.getFirst());
    }

    /**
     * Every address-based virtual service. Firewall-mark services have no {@link IpvsServiceKey}
     * and are left out (sluice creates none; {@link #flush()} still removes them).
     */
    public List<IpvsService> services() {
        List<IpvsService> services = new ArrayList<>();
        for (NetlinkMessage reply : socket.dump("list IPVS services", IpvsMessages.command(familyId, IpvsUapi.CMD_GET_SERVICE))) {
            IpvsMessages.decodeService(reply).ifPresentOrElse(services::add,
                    () -> LOG.debug("list IPVS services: skipping a firewall-mark service"));
        }
        return services;
    }

    /** The service with this key, or empty. */
    public Optional<IpvsService> service(IpvsServiceKey key) {
        try {
            List<NetlinkMessage> replies = socket.request("read IPVS service " + key,
                    IpvsMessages.serviceKey(familyId, IpvsUapi.CMD_GET_SERVICE, key));
            return replies.stream().findFirst().flatMap(IpvsMessages::decodeService);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ESRCH) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Adds a service; EEXIST when its key is taken, ENOENT when the kernel has no such scheduler. */
    public void addService(IpvsService service) {
        String what = "add IPVS service " + service.key() + " (scheduler " + service.scheduler() + ")";
        try {
            socket.request(what, IpvsMessages.service(familyId, IpvsUapi.CMD_NEW_SERVICE, service));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new NetlinkException(what + ": the kernel has no IPVS scheduler '" + service.scheduler()
                        + "' (module ip_vs_" + service.scheduler() + ")", e.errno(), e.kernelMessage());
            }
            throw e;
        }
        LOG.debug("added IPVS service {}", service);
    }

    /** Replaces scheduler, flags, timeout and netmask of an existing service. */
    public void updateService(IpvsService service) {
        socket.request("update IPVS service " + service.key(),
                IpvsMessages.service(familyId, IpvsUapi.CMD_SET_SERVICE, service));
    }

    /** Deletes the service and its destinations; false when there was no such service. */
    public boolean deleteService(IpvsServiceKey key) {
        try {
            socket.request("delete IPVS service " + key, IpvsMessages.serviceKey(familyId, IpvsUapi.CMD_DEL_SERVICE, key));
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ESRCH) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The destinations of a service with their connection counts.
     *
     * @throws NetlinkException with ESRCH when there is no such service (the kernel's dump would
     *     just be empty)
     */
    public List<IpvsDestination> destinations(IpvsServiceKey key) {
        String what = "list destinations of IPVS service " + key;
        List<IpvsDestination> destinations = socket.dump(what,
                        IpvsMessages.serviceKey(familyId, IpvsUapi.CMD_GET_DEST, key)).stream()
                .map(reply -> IpvsMessages.decodeDestination(reply, key)).toList();
        if (destinations.isEmpty() && service(key).isEmpty()) {
            throw new NetlinkException(what + ": no such service", Errno.ESRCH);
        }
        return destinations;
    }

    public void addDestination(IpvsServiceKey key, IpvsDestination destination) {
        socket.request("add destination " + destination.endpoint() + " to IPVS service " + key,
                IpvsMessages.destination(familyId, IpvsUapi.CMD_NEW_DEST, key, destination));
    }

    /** Replaces forward method, weight and thresholds of an existing destination. */
    public void updateDestination(IpvsServiceKey key, IpvsDestination destination) {
        socket.request("update destination " + destination.endpoint() + " of IPVS service " + key,
                IpvsMessages.destination(familyId, IpvsUapi.CMD_SET_DEST, key, destination));
    }

    /** Deletes a destination; false when the service did not have it. */
    public boolean deleteDestination(IpvsServiceKey key, IpvsDestination destination) {
        try {
            socket.request("delete destination " + destination.endpoint() + " of IPVS service " + key,
                    IpvsMessages.destination(familyId, IpvsUapi.CMD_DEL_DEST, key, destination));
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /** Removes every service and destination of this network namespace. */
    public void flush() {
        socket.request("flush IPVS", IpvsMessages.command(familyId, IpvsUapi.CMD_FLUSH));
    }

    /**
     * Whether the kernel has scheduler {@code name} (rr, wrr, sh, mh...). IPVS cannot list its
     * schedulers, so this adds and at once deletes a service on firewall mark
     * {@value #SCHEDULER_PROBE_FWMARK} with that scheduler; the kernel loads its module on the way.
     */
    public boolean schedulerAvailable(String name) {
        if (name.isEmpty() || name.length() > IpvsUapi.SCHEDULER_NAME_MAX) {
            throw new IllegalArgumentException("IPVS scheduler name '" + name + "' must be 1.."
                    + IpvsUapi.SCHEDULER_NAME_MAX + " characters");
        }
        String what = "probe IPVS scheduler '" + name + "' with a service on fwmark "
                + Integer.toHexString(SCHEDULER_PROBE_FWMARK);
        try {
            socket.request(what, IpvsMessages.fwmarkService(familyId, IpvsUapi.CMD_NEW_SERVICE,
                    SCHEDULER_PROBE_FWMARK, name));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
        socket.request("delete the service of " + what, IpvsMessages.fwmarkService(familyId,
                IpvsUapi.CMD_DEL_SERVICE, SCHEDULER_PROBE_FWMARK, name));
        return true;
    }

    @Override
    public void close() {
        socket.close();
    }
}
