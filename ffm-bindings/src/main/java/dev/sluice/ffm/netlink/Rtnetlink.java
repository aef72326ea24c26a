package dev.sluice.ffm.netlink;

import dev.sluice.ffm.Errno;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rtnetlink operations the IPVS datapath needs: a dummy link that holds the service
 * addresses (so the kernel accepts traffic to them locally), and those addresses. It works in the
 * network namespace of the thread that opened it.
 */
public final class Rtnetlink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rtnetlink.class);

    private final NetlinkSocket socket;

    private Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a NETLINK_ROUTE socket in the calling thread's network namespace. */
    public static Rtnetlink open() {
        return new Rtnetlink(NetlinkSocket.open(Netlink.NETLINK_ROUTE, "rtnetlink"));
    }

    /** The link called {@code name}, or empty when there is none. */
    public Optional<Link> link(String name) {
        try {
            List<NetlinkMessage> replies = socket.request("look up link '" + name + "'", RtnetlinkMessages.getLink(name));
            return replies.stream().findFirst().map(RtnetlinkMessages::decodeLink);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public List<Link> links() {
        return socket.dump("list links", RtnetlinkMessages.dumpLinks()).stream()
                .map(RtnetlinkMessages::decodeLink).toList();
    }

    /** A dummy link called {@code name}, created when missing. */
    public Link ensureDummy(String name) {
        return ensureLink(name, "dummy");
    }

    /**
     * The link called {@code name}, created with driver {@code kind} when missing. An existing link
     * of another kind is an error rather than something to replace: it belongs to someone else.
     */
    public Link ensureLink(String name, String kind) {
        Optional<Link> existing = link(name);
        if (existing.isEmpty()) {
            String what = "create " + kind + " link '" + name + "'";
            try {
                socket.request(what, RtnetlinkMessages.newLink(name, kind));
                LOG.info("created {} link '{}'", kind, name);
            } catch (NetlinkException e) {
                if (e.errno() == Errno.EOPNOTSUPP) {
                    throw new NetlinkException(what + ": this kernel has no '" + kind
                            + "' link driver, built in or as a module", e.errno(), e.kernelMessage());
                }
                // EEXIST: created concurrently since the lookup; it is checked below like any other.
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
            }
            existing = link(name);
        }
        Link link = existing.orElseThrow(() -> new NetlinkException("link '" + name
                + "' vanished right after it was created", Errno.ENODEV));
        if (!link.kind().equals(kind)) {
            throw new IllegalStateException("link '" + name + "' exists with kind '" + link.kind()
                    + "', not '" + kind + "'");
        }
        return link;
    }

    /** Deletes the link; false when there was none. */
    public boolean deleteLink(String name) {
        try {
            socket.request("delete link '" + name + "'", RtnetlinkMessages.deleteLink(name));
            LOG.info("deleted link '{}'", name);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    /** Sets the link administratively up. */
    public void setUp(String name) {
        Link link = require(name, "set link '" + name + "' up");
        socket.request("set link '" + name + "' up", RtnetlinkMessages.setUp(link.index()));
    }

    /** Adds {@code address} as a host address (/32, /128); false when the link already has it. */
    public boolean addAddress(String linkName, InetAddress address) {
        LinkAddress host = LinkAddress.host(address);
        String what = "add address " + host + " to link '" + linkName + "'";
        Link link = require(linkName, what);
        try {
            socket.request(what, RtnetlinkMessages.newAddress(link.index(), host));
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EEXIST) {
                return false;
            }
            throw e;
        }
    }

    /** Removes the host address {@code address}; false when the link did not have it. */
    public boolean removeAddress(String linkName, InetAddress address) {
        LinkAddress host = LinkAddress.host(address);
        String what = "remove address " + host + " from link '" + linkName + "'";
        Link link = require(linkName, what);
        try {
            socket.request(what, RtnetlinkMessages.deleteAddress(link.index(), host));
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EADDRNOTAVAIL) {
                return false;
            }
            throw e;
        }
    }

    /** Every address of the link, both families, kernel-added ones (IPv6 link-local) included. */
    public List<LinkAddress> addresses(String linkName) {
        String what = "list addresses of link '" + linkName + "'";
        Link link = require(linkName, what);
        List<LinkAddress> addresses = new ArrayList<>();
        // The kernel filters a dump by link only on strict-checking sockets; filtering here works everywhere.
        for (NetlinkMessage message : socket.dump(what, RtnetlinkMessages.dumpAddresses())) {
            RtnetlinkMessages.IndexedAddress entry = RtnetlinkMessages.decodeAddress(message);
            if (entry.index() == link.index()) {
                addresses.add(entry.address());
            }
        }
        return addresses;
    }

    private Link require(String name, String what) {
        return link(name).orElseThrow(() -> new NetlinkException(what + ": no link '" + name
                + "' in this network namespace", Errno.ENODEV));
    }

    @Override
    public void close() {
        socket.close();
    }
}
