package dev.sluice.control.migrate;

import dev.sluice.ffm.Errno;
import dev.sluice.ffm.ipvs.IpvsClient;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import dev.sluice.ffm.ipvs.IpvsUnavailableException;
import dev.sluice.ffm.netlink.Link;
import dev.sluice.ffm.netlink.LinkAddress;
import dev.sluice.ffm.netlink.NetlinkException;
import dev.sluice.ffm.netlink.Rtnetlink;
import dev.sluice.ffm.sys.Command;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what kube-proxy's IPVS mode leaves outside iptables: its IPVS virtual services, its dummy
 * interface kube-ipvs0 (which holds every service address, so the node would keep answering for
 * them) and its ipsets. Runs after the iptables cleanup, since the kernel refuses to destroy a set a
 * rule still matches on.
 *
 * <p>IPVS has no owner field, so a virtual service is taken for kube-proxy's by where it listens
 * ({@link IpvsOwnership}):
 * <ul>
 *   <li>its address is one of kube-ipvs0's: kube-proxy binds every ClusterIP, LoadBalancer IP and
 *       externalIP it serves to that dummy so the kernel delivers their traffic locally to IPVS, and
 *       puts nothing else there; or
 *   <li>its port is in the NodePort range (the API server's default 30000-32767) and its address is
 *       one of the node's own (every link but kube-ipvs0): kube-proxy's NodePort services are one
 *       virtual service per node address, and only a Service's NodePort is allocated from that
 *       range.
 * </ul>
 * Anything else is someone else's (an admin's or a load balancer's ipvsadm rules, keepalived) and
 * stays, logged: services on other addresses, on node addresses outside the NodePort range, and
 * firewall-mark services, which kube-proxy never creates and the IPVS client does not even list.
 *
 * <p>The services go before kube-ipvs0, because its addresses are the evidence: a cleanup that
 * stops between the two (they run in order, stopping at the first failure) can be run again and
 * still recognise the services left. A kernel without IPVS has none to remove: that is logged and
 * the rest of the cleanup runs as usual. Removing them needs no conntrack handoff
 * ({@link ConntrackHandoff}): IPVS keeps its own connection table, not netfilter NAT.
 */
final class IpvsCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(IpvsCleaner.class);
    static final String DUMMY = "kube-ipvs0";
    private static final Pattern REFERENCES = Pattern.compile("(?m)^References:\\s*(\\d+)");

    /**
     * kube-proxy's sets by name, not every KUBE-* set: other components (kube-router's policy sets,
     * KUBE-SRC-/KUBE-DST-) use that prefix too. IPv6 sets are named KUBE-6-...; some names are
     * from older releases.
     */
    static final Set<String> IPSETS = Stream.of("LOOP-BACK", "CLUSTER-IP", "EXTERNAL-IP", "EXTERNAL-IP-LOCAL",
                    "LOAD-BALANCER", "LOAD-BALANCER-FW", "LOAD-BALANCER-LOCAL", "LOAD-BALANCER-MASQ",
                    "LOAD-BALANCER-SOURCE-IP", "LOAD-BALANCER-SOURCE-CIDR", "NODE-PORT-TCP", "NODE-PORT-LOCAL-TCP",
                    "NODE-PORT-UDP", "NODE-PORT-LOCAL-UDP", "NODE-PORT-SCTP", "NODE-PORT-LOCAL-SCTP",
                    "NODE-PORT-SCTP-HASH", "NODE-PORT-LOCAL-SCTP-HASH", "HEALTH-CHECK-NODE-PORT", "IPVS-IPS")
            .flatMap(name -> Stream.of("KUBE-" + name, "KUBE-6-" + name))
            .collect(Collectors.toUnmodifiableSet());

    private static final Path SYS_MODULES = Path.of("/sys/module");

    private final NodeTools tools;
    private final int nodePortMin;
    private final int nodePortMax;

    IpvsCleaner(NodeTools tools) {
        this(tools, IpvsOwnership.DEFAULT_NODE_PORT_MIN, IpvsOwnership.DEFAULT_NODE_PORT_MAX);
    }

    IpvsCleaner(NodeTools tools, int nodePortMin, int nodePortMax) {
        this.tools = tools;
        this.nodePortMin = nodePortMin;
        this.nodePortMax = nodePortMax;
    }

    /** Removes kube-proxy's virtual services (with their real servers); returns how many. Call before {@link #clean()}. */
    int removeVirtualServices() {
        if (!ipvsMayBeInKernel()) {
            LOG.info("IPVS: module ip_vs is neither loaded nor built in, so kube-proxy ran no IPVS services here; "
                    + "no virtual services to remove");
            return 0;
        }
        Optional<IpvsClient> opened;
        try {
            opened = tools.openNetlink(IpvsClient::open);
        } catch (IpvsUnavailableException e) {
            LOG.info("IPVS: no virtual services to remove: {}", e.getMessage());
            return 0;
        } catch (NetlinkException e) {
            throw new CleanupFailure("IPVS: cannot open the IPVS netlink family to look for kube-proxy's virtual "
                    + "services: " + e.getMessage());
        }
        if (opened.isEmpty()) {
            LOG.warn("IPVS: these node tools offer no netlink access; kube-proxy's IPVS virtual services, if any, "
                    + "are not looked for");
            return 0;
        }
        try (IpvsClient ipvs = opened.get();
             Rtnetlink links = tools.openNetlink(Rtnetlink::open).orElseThrow()) {
            List<IpvsService> services = list(ipvs);
            if (services.isEmpty()) {
                LOG.info("IPVS: no virtual services found");
                return 0;
            }
            IpvsOwnership ownership = new IpvsOwnership(dummyAddresses(links), nodeAddresses(links), nodePortMin,
                    nodePortMax);
            IpvsOwnership.Split split = ownership.split(services.stream().map(IpvsService::key).toList());
            for (IpvsServiceKey other : split.others()) {
                LOG.info("IPVS: leaving virtual service {}: its address is not on {} and it is not a NodePort "
                        + "({}-{}) on a node address, so it is not kube-proxy's", other, DUMMY, nodePortMin, nodePortMax);
            }
            int removed = 0;
            for (IpvsServiceKey service : split.kubeProxys()) {
                try {
                    if (ipvs.deleteService(service)) {
                        removed++;
                    }
                } catch (NetlinkException e) {
                    throw new CleanupFailure("IPVS: cannot delete kube-proxy's virtual service " + service + ": "
                            + e.getMessage());
                }
            }
            LOG.info("IPVS: removed {} of kube-proxy's virtual services, left {} others", removed,
                    split.others().size());
            return removed;
        }
    }

    /** Removes kube-ipvs0 and kube-proxy's ipsets; returns the number of objects removed (the interface and each set). */
    int clean() {
        return removeDummy() + removeIpsets();
    }

    /**
     * False only when the kernel certainly has no IPVS: kube-proxy's IPVS mode loads ip_vs, and
     * asking netlink for the IPVS family would load the module (the genetlink controller requests it)
     * just to find nothing. /sys/module lists built-in modules with parameters too, ip_vs among them.
     */
    private static boolean ipvsMayBeInKernel() {
        return !Files.isDirectory(SYS_MODULES) || Files.exists(SYS_MODULES.resolve("ip_vs"));
    }

    private static List<IpvsService> list(IpvsClient ipvs) {
        try {
            return ipvs.services();
        } catch (NetlinkException e) {
            throw new CleanupFailure("IPVS: cannot list the virtual services: " + e.getMessage());
        }
    }

    /** kube-ipvs0's addresses, read before the interface goes; none when it is missing or not a dummy. */
    private static Set<InetAddress> dummyAddresses(Rtnetlink links) {
        try {
            Optional<Link> dummy = links.link(DUMMY);
            if (dummy.isEmpty() || !dummy.get().kind().equals("dummy")) {
                // removeDummy says why such an interface stays; its addresses are no evidence either.
                return Set.of();
            }
            return addresses(links.addresses(DUMMY));
        } catch (NetlinkException e) {
            throw new CleanupFailure("IPVS: cannot read the addresses of interface " + DUMMY + ": " + e.getMessage());
        }
    }

    /** Every address on every link but kube-ipvs0: where kube-proxy put its NodePort services. */
    private static Set<InetAddress> nodeAddresses(Rtnetlink links) {
        Set<InetAddress> addresses = new HashSet<>();
        List<Link> all;
        try {
            all = links.links();
        } catch (NetlinkException e) {
            throw new CleanupFailure("IPVS: cannot list the node's interfaces for its addresses: " + e.getMessage());
        }
        for (Link link : all) {
            if (link.name().equals(DUMMY)) {
                continue;
            }
            try {
                addresses.addAll(addresses(links.addresses(link.name())));
            } catch (NetlinkException e) {
                if (e.errno() != Errno.ENODEV) {
                    throw new CleanupFailure("IPVS: cannot read the addresses of interface " + link.name() + ": "
                            + e.getMessage());
                }
                // The link went away since the listing: it has no addresses left to serve NodePorts on.
            }
        }
        return addresses;
    }

    private static Set<InetAddress> addresses(List<LinkAddress> linkAddresses) {
        Set<InetAddress> addresses = new HashSet<>();
        for (LinkAddress linkAddress : linkAddresses) {
            addresses.add(linkAddress.address());
        }
        return addresses;
    }

    private int removeDummy() {
        List<String> show = List.of("ip", "-d", "link", "show", DUMMY);
        Command.Result shown = tools.run(show);
        if (shown.exitCode() != 0) {
            if (shown.stderr().contains("does not exist")) {
                LOG.info("IPVS: no {} interface found", DUMMY);
                return 0;
            }
            throw CleanupFailure.of(show, "interface " + DUMMY, "look the interface up", shown);
        }
        if (!Pattern.compile("(?m)^\\s+dummy\\b").matcher(shown.stdout()).find()) {
            LOG.warn("IPVS: {} exists but is not a dummy interface, so it is not kube-proxy's; leaving it", DUMMY);
            return 0;
        }
        List<String> delete = List.of("ip", "link", "delete", DUMMY);
        Command.Result deleted = tools.run(delete);
        if (deleted.exitCode() != 0) {
            throw CleanupFailure.of(delete, "interface " + DUMMY, "delete the interface", deleted);
        }
        LOG.info("IPVS: removed the dummy interface {}", DUMMY);
        return 1;
    }

    private int removeIpsets() {
        if (!tools.installed("ipset")) {
            LOG.info("IPVS: ipset is not on PATH, skipping kube-proxy's ipsets");
            return 0;
        }
        List<String> list = List.of("ipset", "list", "-n");
        Command.Result listed = tools.run(list);
        if (listed.exitCode() != 0) {
            throw CleanupFailure.of(list, "all ipsets", "list the sets", listed);
        }
        List<String> ours = new ArrayList<>();
        for (String name : listed.stdout().split("\n")) {
            if (IPSETS.contains(name.strip())) {
                ours.add(name.strip());
            }
        }
        int removed = 0;
        for (String name : ours) {
            List<String> header = List.of("ipset", "list", "-t", name);
            Command.Result described = tools.run(header);
            if (described.exitCode() != 0) {
                throw CleanupFailure.of(header, "ipset " + name, "read the set's header", described);
            }
            Matcher references = REFERENCES.matcher(described.stdout());
            if (references.find() && Integer.parseInt(references.group(1)) > 0) {
                LOG.warn("IPVS: keeping ipset {}: {} rule(s) that are not kube-proxy's still match on it", name,
                        references.group(1));
                continue;
            }
            List<String> destroy = List.of("ipset", "destroy", name);
            Command.Result destroyed = tools.run(destroy);
            if (destroyed.exitCode() != 0) {
                throw CleanupFailure.of(destroy, "ipset " + name, "destroy the set", destroyed);
            }
            removed++;
        }
        if (removed > 0) {
            LOG.info("IPVS: removed {} kube-proxy ipsets", removed);
        } else if (ours.isEmpty()) {
            LOG.info("IPVS: no kube-proxy ipsets found");
        }
        return removed;
    }
}
