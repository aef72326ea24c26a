package dev.sluice.control.datapath.packet;

import java.net.InetAddress;

/** What a transport builder needs from the IP builder below it. */
interface NetworkLayer {

    byte[] build(Transport transport);

    boolean hasEthernet();

    /** A transport segment that can checksum itself once it knows the pseudo-header addresses. */
    interface Transport {
        int protocol();

        byte[] encode(InetAddress src, InetAddress dst);
    }
}
