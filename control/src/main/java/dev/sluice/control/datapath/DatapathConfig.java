package dev.sluice.control.datapath;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.sluice.ffm.MapCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.InetAddress;

/**
 * {@code struct datapath_config}: node-wide settings. A null node address disables that SNAT.
 * {@code replyBudget}: the RSTs and ICMP errors refusals may send, per second and CPU; 0 leaves it
 * to the datapath's default (bpf/lib/reply_budget.h).
 */
public record DatapathConfig(int hashSeed, int snatPortMin, int snatPortMax, InetAddress nodeIpv4,
                             InetAddress nodeIpv6, int flags, int replyBudget) {
    /** Pod traffic to destinations outside masq_exempt leaves with the node address. */
    public static final int F_MASQUERADE = 1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("hash_seed"), JAVA_SHORT.withName("snat_port_min"),
            JAVA_SHORT.withName("snat_port_max"), Wire.ADDRESS.withName("node_ipv4"),
            Wire.ADDRESS.withName("node_ipv6"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("reply_budget")).withName("datapath_config");

    public DatapathConfig(int hashSeed, int snatPortMin, int snatPortMax, InetAddress nodeIpv4, InetAddress nodeIpv6) {
        this(hashSeed, snatPortMin, snatPortMax, nodeIpv4, nodeIpv6, 0);
    }

    public DatapathConfig(int hashSeed, int snatPortMin, int snatPortMax, InetAddress nodeIpv4, InetAddress nodeIpv6,
                          int flags) {
        this(hashSeed, snatPortMin, snatPortMax, nodeIpv4, nodeIpv6, flags, 0);
    }

    public static final MapCodec<DatapathConfig> CODEC = MapCodec.of(LAYOUT, (c, s) -> {
        s.set(JAVA_INT, 0, c.hashSeed());
        s.set(JAVA_SHORT, 4, (short) c.snatPortMin());
        s.set(JAVA_SHORT, 6, (short) c.snatPortMax());
        if (c.nodeIpv4() != null) {
            Wire.writeAddress(s, 8, c.nodeIpv4());
        }
        if (c.nodeIpv6() != null) {
            Wire.writeAddress(s, 24, c.nodeIpv6());
        }
        s.set(JAVA_INT, 40, c.flags());
        s.set(JAVA_INT, 44, c.replyBudget());
    }, s -> new DatapathConfig(s.get(JAVA_INT, 0), Short.toUnsignedInt(s.get(JAVA_SHORT, 4)),
            Short.toUnsignedInt(s.get(JAVA_SHORT, 6)), nullIfZero(Wire.readAddress(s, 8, Wire.FAMILY_IPV4)),
            nullIfZero(Wire.readAddress(s, 24, Wire.FAMILY_IPV6)), s.get(JAVA_INT, 40), s.get(JAVA_INT, 44)));

    private static InetAddress nullIfZero(InetAddress address) {
        return address.isAnyLocalAddress() ? null : address;
    }
}
