package dev.sluice.control.datapath.packet;

/** Anything that can produce the bytes of a frame or packet. */
public interface PacketBuilder {

    /** The bytes, starting at the Ethernet header if {@link #hasEthernet()}, else at the IP header. */
    byte[] build();

    boolean hasEthernet();

    /** The bytes from the IP header on, e.g. to be quoted by an ICMP error. */
    default byte[] buildIp() {
        byte[] bytes = build();
        return hasEthernet() ? Frames.l3(bytes) : bytes;
    }

    default Octets toOctets() {
        return Octets.of(build());
    }

    /** Parses what {@link #build()} returns, strictly. */
    default ParsedFrame parse() {
        return hasEthernet() ? ParsedFrame.parse(build()) : ParsedFrame.parseIp(build());
    }
}
