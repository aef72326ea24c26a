package dev.sluice.control.datapath.packet;

/** Renders a parsed frame as one line, e.g. {@code 10.0.0.1.40000 > 10.96.0.10.53 udp len 12}. */
final class FrameSummary {

    private FrameSummary() {}

    static String of(ParsedFrame f) {
        StringBuilder s = new StringBuilder();
        if (f.ethernet() != null) {
            s.append(f.ethernet().src()).append(" > ").append(f.ethernet().dst());
            if (f.ethernet().vlan() != null) {
                s.append(" vlan ").append(f.ethernet().vlan().vlanId());
            }
            s.append(String.format(" ethertype 0x%04x", f.ethernet().etherType()));
            if (f.ipv4() != null || f.ipv6() != null) {
                s.append(", ");
            }
        }
        if (f.ipv4() != null || f.ipv6() != null) {
            s.append(f.ipv4() != null ? "ipv4 " : "ipv6 ");
            s.append(endpoint(f, true)).append(" > ").append(endpoint(f, false));
            s.append(' ').append(transport(f));
            if (f.isFragment()) {
                s.append(" (fragment)");
            }
        }
        s.append(" len ").append(f.payload().length());
        if (f.inner() != null) {
            s.append(" quoting [").append(of(f.inner().frame())).append(']');
        }
        return s.toString();
    }

    private static String endpoint(ParsedFrame f, boolean source) {
        String address = Addresses.format(source ? f.src() : f.dst());
        var port = source ? f.srcPort() : f.dstPort();
        return port.isPresent() ? address + "." + port.getAsInt() : address;
    }

    private static String transport(ParsedFrame f) {
        if (f.tcp() != null) {
            return "tcp [" + TcpFlag.describe(f.tcp().flags()) + "] seq " + f.tcp().seq() + " ack " + f.tcp().ack();
        }
        if (f.udp() != null) {
            return "udp";
        }
        if (f.icmp() != null) {
            return "icmp type " + f.icmp().type() + " code " + f.icmp().code();
        }
        if (f.icmpv6() != null) {
            return "icmpv6 type " + f.icmpv6().type() + " code " + f.icmpv6().code();
        }
        return "protocol " + f.l4Protocol();
    }
}
