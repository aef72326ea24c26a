package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.address;

import dev.sluice.control.datapath.packet.EthernetBuilder;
import dev.sluice.control.datapath.packet.Frames;
import dev.sluice.control.datapath.packet.TcpBuilder;
import dev.sluice.control.datapath.packet.UdpBuilder;
import java.net.InetAddress;

/** The lab's addresses in one family, so every datapath test runs over IPv4 and IPv6 alike. */
enum LabAddresses {
    IPV4(DatapathLab.CLIENT4, DatapathLab.NODE4, address("198.18.1.11"), address("198.18.1.12"),
            address("198.18.2.21"), address("198.18.2.22"), address("198.18.100.10"), address("198.18.3.1"),
            address("198.18.0.9")),
    IPV6(DatapathLab.CLIENT6, DatapathLab.NODE6, address("2001:db8:1::11"), address("2001:db8:1::12"),
            address("2001:db8:2::21"), address("2001:db8:2::22"), address("2001:db8:100::10"),
            address("2001:db8:3::1"), address("2001:db8::9"));

    final InetAddress client;
    final InetAddress node;
    final InetAddress remotePod1;
    final InetAddress remotePod2;
    final InetAddress localPod1;
    final InetAddress localPod2;
    final InetAddress clusterIp;
    final InetAddress loadBalancerIp;
    final InetAddress otherClient;

    LabAddresses(InetAddress client, InetAddress node, InetAddress remotePod1, InetAddress remotePod2,
                 InetAddress localPod1, InetAddress localPod2, InetAddress clusterIp, InetAddress loadBalancerIp,
                 InetAddress otherClient) {
        this.client = client;
        this.node = node;
        this.remotePod1 = remotePod1;
        this.remotePod2 = remotePod2;
        this.localPod1 = localPod1;
        this.localPod2 = localPod2;
        this.clusterIp = clusterIp;
        this.loadBalancerIp = loadBalancerIp;
        this.otherClient = otherClient;
    }

    boolean v4() {
        return this == IPV4;
    }

    /** A TCP segment between two lab hosts, with the given hop limit. */
    TcpBuilder tcp(String srcMac, String dstMac, InetAddress src, InetAddress dst, int ttl, int sport, int dport) {
        EthernetBuilder ethernet = Frames.ethernet(srcMac, dstMac);
        return v4() ? ethernet.ipv4(src, dst).ttl(ttl).id(0x1234).dontFragment().tcp(sport, dport)
                : ethernet.ipv6(src, dst).hopLimit(ttl).flowLabel(0xbeef).tcp(sport, dport);
    }

    /** A UDP datagram between two lab hosts, with the given hop limit. */
    UdpBuilder udp(String srcMac, String dstMac, InetAddress src, InetAddress dst, int ttl, int sport, int dport) {
        EthernetBuilder ethernet = Frames.ethernet(srcMac, dstMac);
        return v4() ? ethernet.ipv4(src, dst).ttl(ttl).id(0x1234).dontFragment().udp(sport, dport)
                : ethernet.ipv6(src, dst).hopLimit(ttl).flowLabel(0xbeef).udp(sport, dport);
    }
}
