package dev.sluice.control.ipvs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sysctls kube-proxy's IPVS mode sets, written once when the IPVS datapath starts.
 *
 * <ul>
 *   <li>vs/conntrack=1: IPVS connections get conntrack entries, which nftables' masquerade needs;</li>
 *   <li>vs/conn_reuse_mode=0: a reused source port must not wait for a stale connection entry;</li>
 *   <li>vs/expire_nodest_conn=1, vs/expire_quiescent_template=1: connections and persistence
 *       templates to a deleted or weight-0 destination end instead of sticking;</li>
 *   <li>ip_forward=1: traffic to remote endpoints is routed;</li>
 *   <li>arp_ignore=1, arp_announce=2 (all and the dummy): the node must not answer ARP for VIPs
 *       it only holds on the dummy, or it would steal LoadBalancer IPs from the network.</li>
 * </ul>
 */
public final class IpvsSysctls {
    private static final Logger LOG = LoggerFactory.getLogger(IpvsSysctls.class);

    private IpvsSysctls() {}

    /** Relative to /proc/sys, in the order they are written. */
    public static Map<String, String> wanted(String dummy) {
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("net/ipv4/vs/conntrack", "1");
        wanted.put("net/ipv4/vs/conn_reuse_mode", "0");
        wanted.put("net/ipv4/vs/expire_nodest_conn", "1");
        wanted.put("net/ipv4/vs/expire_quiescent_template", "1");
        wanted.put("net/ipv4/ip_forward", "1");
        wanted.put("net/ipv4/conf/all/arp_ignore", "1");
        wanted.put("net/ipv4/conf/all/arp_announce", "2");
        wanted.put("net/ipv4/conf/" + dummy + "/arp_ignore", "1");
        wanted.put("net/ipv4/conf/" + dummy + "/arp_announce", "2");
        return wanted;
    }

    /**
     * Writes every wanted value that differs under {@code procSys}; returns one line per sysctl that
     * could not be written (the datapath still runs, worse, so this is reported rather than fatal).
     */
    public static List<String> apply(Path procSys, String dummy) {
        List<String> failures = new ArrayList<>();
        wanted(dummy).forEach((name, value) -> {
            Path file = procSys.resolve(name);
            try {
                String current = Files.isRegularFile(file) ? Files.readString(file).strip() : null;
                if (!value.equals(current)) {
                    Files.writeString(file, value + "\n");
                    LOG.info("sysctl {} = {} (was {})", name.replace('/', '.'), value, current);
                }
            } catch (IOException | RuntimeException e) {
                String failure = "sysctl " + name.replace('/', '.') + ": cannot set to " + value + ": " + e;
                LOG.warn("{}", failure);
                failures.add(failure);
            }
        });
        return failures;
    }
}
