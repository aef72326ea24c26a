package dev.sluice.control.agent;

import dev.sluice.control.model.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-proxy's nodePortAddresses: which of the node's addresses serve NodePorts. CIDRs select the
 * addresses inside them; {@code primary} and {@code all} keep every node address (sluice serves
 * NodePorts on the node's addresses, never on every local one); empty means the same.
 */
record NodePortAddresses(List<Cidr> cidrs) {
    static final NodePortAddresses ALL = new NodePortAddresses(List.of());

    /** @throws IllegalArgumentException naming the entry that is not a CIDR or a keyword sluice serves */
    static NodePortAddresses parse(List<String> entries) {
        if (entries == null) {
            return ALL;
        }
        List<Cidr> cidrs = new ArrayList<>();
        boolean everything = false;
        for (String raw : entries) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("primary") || entry.equals("all")) {
                everything = true;
                continue;
            }
            if (entry.equals("localhost")) {
                throw new IllegalArgumentException("nodePortAddresses: 'localhost' is not served: "
                        + "sluice does not answer NodePorts on loopback addresses");
            }
            Cidr cidr;
            try {
                cidr = Cidr.parse(entry);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("nodePortAddresses: '" + entry
                        + "' is neither a CIDR nor one of primary, all", e);
            }
            if (cidr.address().isLoopbackAddress()) {
                throw new IllegalArgumentException("nodePortAddresses: " + entry + " is loopback: "
                        + "sluice does not answer NodePorts on loopback addresses");
            }
            cidrs.add(cidr);
        }
        return everything ? ALL : new NodePortAddresses(List.copyOf(cidrs));
    }

    List<InetAddress> select(List<InetAddress> nodeAddresses) {
        if (cidrs.isEmpty()) {
            return nodeAddresses;
        }
        return nodeAddresses.stream().filter(a -> cidrs.stream().anyMatch(c -> c.contains(a))).toList();
    }
}
