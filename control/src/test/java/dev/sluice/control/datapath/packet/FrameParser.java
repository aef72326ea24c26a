package dev.sluice.control.datapath.packet;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a frame layer by layer. A problem stops decoding and is reported together with every layer
 * decoded so far, so a test sees both what was wrong and what was there.
 *
 * <p>In quoted mode (the invoking packet inside an ICMP error) the packet is expected to be cut
 * short: lengths beyond the quote and an incomplete transport header are not errors.
 */
final class FrameParser {

    private final byte[] b;
    private final boolean quoted;
    private EthernetHeader ethernet;
    private Ipv4Header ipv4;
    private Ipv6Header ipv6;
    private TcpHeader tcp;
    private UdpHeader udp;
    private IcmpHeader icmp;
    private IcmpHeader icmpv6;
    private Octets payload = Octets.EMPTY;
    private Octets trailer = Octets.EMPTY;
    private ParseResult inner;
    private int l3Offset = -1;
    private int l4Offset = -1;
    private int end;
    private boolean clipped;

    private FrameParser(byte[] bytes, boolean quoted) {
        this.b = bytes;
        this.quoted = quoted;
        this.end = bytes.length;
    }

    static ParseResult parse(byte[] bytes, boolean fromEthernet, boolean quoted) {
        FrameParser parser = new FrameParser(bytes.clone(), quoted);
        String error = null;
        try {
            if (fromEthernet) {
                parser.ethernet();
            } else {
                parser.ip(0);
            }
        } catch (Malformed e) {
            error = e.getMessage();
        }
        return new ParseResult(parser.freeze(), error);
    }

    private ParsedFrame freeze() {
        return new ParsedFrame(ethernet, ipv4, ipv6, tcp, udp, icmp, icmpv6, payload, trailer, inner,
                new ParsedFrame.Layout(Octets.of(b), l3Offset, l4Offset, end, clipped));
    }

    private void ethernet() {
        need(0, 14, b.length, "ethernet header");
        int type = Wire.u16(b, 12);
        VlanTag vlan = null;
        int next = 14;
        if (type == EtherType.VLAN || type == EtherType.QINQ) {
            need(14, 4, b.length, "802.1Q tag (ethertype 0x" + Integer.toHexString(type) + ")");
            int tci = Wire.u16(b, 14);
            vlan = new VlanTag(type, tci >>> 13, (tci & 0x1000) != 0, tci & 0xfff);
            type = Wire.u16(b, 16);
            next = 18;
        }
        ethernet = new EthernetHeader(MacAddress.of(slice(0, 6)), MacAddress.of(slice(6, 12)), vlan, type);
        switch (type) {
            case EtherType.IPV4 -> ipv4(next);
            case EtherType.IPV6 -> ipv6(next);
            default -> payload = Octets.of(b, next, b.length);
        }
    }

    private void ip(int at) {
        need(at, 1, b.length, "ip header");
        int version = Wire.u8(b, at) >>> 4;
        switch (version) {
            case 4 -> ipv4(at);
            case 6 -> ipv6(at);
            default -> throw new Malformed("ip version is " + version + " at offset " + at + ", expected 4 or 6");
        }
    }

    private void ipv4(int at) {
        l3Offset = at;
        need(at, 20, b.length, "ipv4 header");
        int version = Wire.u8(b, at) >>> 4;
        int ihl = Wire.u8(b, at) & 0xf;
        int headerLength = ihl * 4;
        int available = b.length - at;
        Octets options = Octets.of(b, at + 20, at + Math.min(available, Math.max(20, headerLength)));
        int flagsAndOffset = Wire.u16(b, at + 6);
        int totalLength = Wire.u16(b, at + 2);
        ipv4 = new Ipv4Header(version, ihl, Wire.u8(b, at + 1), totalLength, Wire.u16(b, at + 4),
                (flagsAndOffset & 0x8000) != 0, (flagsAndOffset & 0x4000) != 0, (flagsAndOffset & 0x2000) != 0,
                flagsAndOffset & 0x1fff, Wire.u8(b, at + 8), Wire.u8(b, at + 9), Wire.u16(b, at + 10),
                Addresses.ipv4(b, at + 12), Addresses.ipv4(b, at + 16), options);
        if (version != 4) {
            throw new Malformed("ipv4.version is " + version + " at offset " + at + ", expected 4");
        }
        if (ihl < 5) {
            throw new Malformed("ipv4.ihl is " + ihl + " at offset " + at + ": a header has at least 5 words");
        }
        if (headerLength > available) {
            throw new Malformed("truncated ipv4 options: ihl " + ihl + " means " + headerLength
                    + " header bytes at offset " + at + ", only " + available + " present");
        }
        if (totalLength < headerLength) {
            throw new Malformed("ipv4.totalLength " + totalLength + " is less than the header length " + headerLength);
        }
        limitTo(at, totalLength, available, "ipv4.totalLength");
        l4Offset = at + headerLength;
        if (ipv4.fragmentOffset() != 0) {
            // Only the first fragment carries the transport header.
            payload = Octets.of(b, l4Offset, end);
            return;
        }
        transport(ipv4.protocol(), false);
    }

    private void ipv6(int at) {
        l3Offset = at;
        need(at, 40, b.length, "ipv6 header");
        int first = (int) Wire.u32(b, at);
        int version = first >>> 28;
        int payloadLength = Wire.u16(b, at + 4);
        int nextHeader = Wire.u8(b, at + 6);
        List<Ipv6Extension> extensions = new ArrayList<>();
        try {
            if (version != 6) {
                throw new Malformed("ipv6.version is " + version + " at offset " + at + ", expected 6");
            }
            limitTo(at, 40 + payloadLength, b.length - at, "ipv6.payloadLength");
            int pos = at + 40;
            int next = nextHeader;
            while (IpProtocol.isIpv6Extension(next)) {
                Ipv6Extension extension = extension(next, pos);
                extensions.add(extension);
                pos += extension.length();
                next = extension.nextHeader();
            }
            l4Offset = pos;
            boolean laterFragment = extensions.stream()
                    .anyMatch(e -> e instanceof Ipv6Extension.Fragment f && f.fragmentOffset() != 0);
            if (laterFragment) {
                payload = Octets.of(b, l4Offset, end);
                return;
            }
            final int upper = next;
            ipv6 = header(first, payloadLength, nextHeader, at, extensions);
            transport(upper, true);
        } finally {
            if (ipv6 == null) {
                ipv6 = header(first, payloadLength, nextHeader, at, extensions);
            }
        }
    }

    private Ipv6Header header(int first, int payloadLength, int nextHeader, int at, List<Ipv6Extension> extensions) {
        return new Ipv6Header(first >>> 28, (first >>> 20) & 0xff, first & 0xfffff, payloadLength, nextHeader,
                Wire.u8(b, at + 7), Addresses.ipv6(b, at + 8), Addresses.ipv6(b, at + 24), extensions);
    }

    private Ipv6Extension extension(int type, int pos) {
        String what = "ipv6 extension header " + type;
        need(pos, 2, end, what);
        int next = Wire.u8(b, pos);
        if (type == IpProtocol.FRAGMENT) {
            need(pos, 8, end, what);
            int offsetAndFlags = Wire.u16(b, pos + 2);
            return new Ipv6Extension.Fragment(next, offsetAndFlags >>> 3, (offsetAndFlags & 1) != 0, Wire.u32(b, pos + 4));
        }
        int length = (Wire.u8(b, pos + 1) + 1) * 8;
        need(pos, length, end, what);
        Octets body = Octets.of(b, pos + 2, pos + length);
        return type == IpProtocol.HOP_BY_HOP
                ? new Ipv6Extension.HopByHop(next, body)
                : new Ipv6Extension.Generic(type, next, body);
    }

    /** Bounds the packet by its own length field; what the link carried beyond is the trailer. */
    private void limitTo(int at, int declared, int available, String field) {
        if (declared > available) {
            if (!quoted) {
                throw new Malformed("truncated packet: " + field + " says " + declared + " bytes from offset " + at
                        + ", only " + available + " present");
            }
            clipped = true;
            end = b.length;
            return;
        }
        end = at + declared;
        trailer = Octets.of(b, end, b.length);
    }

    private void transport(int protocol, boolean overIpv6) {
        int at = l4Offset;
        try {
            switch (protocol) {
                case IpProtocol.TCP -> tcp(at);
                case IpProtocol.UDP -> {
                    need(at, 8, end, "udp header");
                    udp = new UdpHeader(Wire.u16(b, at), Wire.u16(b, at + 2), Wire.u16(b, at + 4), Wire.u16(b, at + 6));
                    payload = Octets.of(b, at + 8, end);
                }
                case IpProtocol.ICMP -> {
                    if (overIpv6) {
                        payload = Octets.of(b, at, end);
                    } else {
                        icmp = icmp(at, "icmp");
                        inner = Icmp.isError(icmp.type()) ? quotedPacket() : null;
                    }
                }
                case IpProtocol.ICMPV6 -> {
                    if (overIpv6) {
                        icmpv6 = icmp(at, "icmpv6");
                        inner = Icmp.isV6Error(icmpv6.type()) ? quotedPacket() : null;
                    } else {
                        payload = Octets.of(b, at, end);
                    }
                }
                default -> payload = Octets.of(b, at, end);
            }
        } catch (Malformed e) {
            if (!quoted) {
                throw e;
            }
            // A quote normally holds only 8 bytes of the transport header: keep them undecoded.
            payload = Octets.of(b, at, end);
        }
    }

    private void tcp(int at) {
        need(at, 20, end, "tcp header");
        int dataOffset = Wire.u8(b, at + 12) >>> 4;
        int headerLength = dataOffset * 4;
        boolean optionsPresent = at + headerLength <= end;
        tcp = new TcpHeader(Wire.u16(b, at), Wire.u16(b, at + 2), Wire.u32(b, at + 4), Wire.u32(b, at + 8), dataOffset,
                Wire.u8(b, at + 12) & 0xf, Wire.u8(b, at + 13), Wire.u16(b, at + 14), Wire.u16(b, at + 16),
                Wire.u16(b, at + 18),
                Octets.of(b, at + 20, Math.max(at + 20, optionsPresent ? at + headerLength : end)));
        if (dataOffset < 5) {
            throw new Malformed("tcp.dataOffset is " + dataOffset + " at offset " + at + ": a header has at least 5 words");
        }
        need(at, headerLength, end, "tcp options (dataOffset " + dataOffset + ")");
        payload = Octets.of(b, at + headerLength, end);
    }

    private IcmpHeader icmp(int at, String what) {
        need(at, 8, end, what + " header");
        payload = Octets.of(b, at + 8, end);
        return new IcmpHeader(Wire.u8(b, at), Wire.u8(b, at + 1), Wire.u16(b, at + 2), (int) Wire.u32(b, at + 4));
    }

    private ParseResult quotedPacket() {
        return parse(payload.toArray(), false, true);
    }

    private void need(int at, int length, int limit, String what) {
        if (at + length > limit) {
            throw new Malformed("truncated " + what + ": needs " + length + " bytes at offset " + at + ", only "
                    + Math.max(0, limit - at) + " present");
        }
    }

    private byte[] slice(int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    /** Control flow only: carries the message to {@link #parse}, so no stack trace. */
    private static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }
}
