package dev.sluice.lab;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.util.ArrayList;
import java.util.List;

/**
 * Segmentation and receive offloads on every veth of a lab (both ends of each link), set with
 * ethtool. With them on, the datapath sees 64 KiB TSO/GSO super-packets and GRO-merged ones, which
 * is what a node sees in production; with them off it sees every segment on its own.
 */
final class Offloads {
    private Offloads() {
    }

    /** TSO, GSO and GRO on or off everywhere. A veth's GRO is off by default; on, it merges what it receives. */
    static void set(Lab lab, boolean on) {
        String state = on ? "on" : "off";
        for (Link link : links(lab)) {
            link.namespace().exec("ethtool", "-K", link.device(), "tso", state, "gso", state, "gro", state);
        }
    }

    /** `ethtool -k` of one device, for checking what {@link #set} did. */
    static String show(NetworkNamespace namespace, String device) {
        return namespace.exec("ethtool", "-k", device);
    }

    record Link(NetworkNamespace namespace, String device) {
    }

    static List<Link> links(Lab lab) {
        List<Link> links = new ArrayList<>();
        NetworkNamespace fabric = NetworkNamespace.existing(Lab.PREFIX + "fabric");
        links.add(new Link(lab.topology().client(), "eth0"));
        links.add(new Link(fabric, "p-client"));
        for (var node : lab.topology().nodes().entrySet()) {
            links.add(new Link(node.getValue(), "eth0"));
            links.add(new Link(fabric, "p-" + node.getKey()));
        }
        for (Pod pod : lab.pods()) {
            links.add(new Link(pod.namespace(), "eth0"));
            links.add(new Link(lab.topology().nodes().get(pod.node()), pod.hostInterface()));
        }
        return links;
    }
}
