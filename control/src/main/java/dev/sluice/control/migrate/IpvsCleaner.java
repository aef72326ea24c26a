package dev.sluice.control.migrate;

import dev.sluice.ffm.sys.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what kube-proxy's IPVS mode leaves outside iptables: its dummy interface kube-ipvs0 (which
 * holds every service address, so the node would keep answering for them) and its ipsets. Runs
 * after the iptables cleanup, since the kernel refuses to destroy a set a rule still matches on.
 * The IPVS virtual services themselves are not removed here (see {@link #clean()}).
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

    private final NodeTools tools;

    IpvsCleaner(NodeTools tools) {
        this.tools = tools;
    }

    /** Returns the number of objects removed (the interface and each set). */
    int clean() {
        // Issue 12 brings IPVS netlink; until then the virtual services stay rather than shelling out to ipvsadm.
        LOG.warn("IPVS: kube-proxy's IPVS virtual services, if any, are NOT removed by this version "
                + "(left to the IPVS netlink support of issue 12); without kube-ipvs0 and kube-proxy's iptables "
                + "rules they no longer receive service traffic");
        return removeDummy() + removeIpsets();
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
