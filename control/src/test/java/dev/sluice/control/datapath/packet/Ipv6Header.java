package dev.sluice.control.datapath.packet;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The fixed IPv6 header plus its chain of extension headers.
 *
 * @param nextHeader the fixed header's field, i.e. the first extension header's type if there is one
 */
public record Ipv6Header(
        int version,
        int trafficClass,
        int flowLabel,
        int payloadLength,
        int nextHeader,
        int hopLimit,
        Inet6Address src,
        Inet6Address dst,
        List<Ipv6Extension> extensions) {

    public Ipv6Header {
        extensions = List.copyOf(extensions);
    }

    /** The protocol after the last extension header. */
    public int upperLayerProtocol() {
        return extensions.isEmpty() ? nextHeader : extensions.getLast().nextHeader();
    }

    public int extensionsLength() {
        return extensions.stream().mapToInt(Ipv6Extension::length).sum();
    }

    public boolean isFragment() {
        return extensions.stream().anyMatch(e -> e instanceof Ipv6Extension.Fragment f
                && (f.moreFragments() || f.fragmentOffset() != 0));
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(40 + extensionsLength());
        out.putInt((version << 28) | ((trafficClass & 0xff) << 20) | (flowLabel & 0xfffff));
        out.putShort((short) payloadLength);
        out.put((byte) nextHeader);
        out.put((byte) hopLimit);
        out.put(src.getAddress()).put(dst.getAddress());
        for (Ipv6Extension extension : extensions) {
            out.put(extension.encode());
        }
        return out.array();
    }
}
