package dev.sluice.control.datapath.packet;

/**
 * Recomputes checksums of a parsed frame from its raw bytes. A question that has no answer (no IPv4
 * header, a fragment whose checksum covers the reassembled datagram) throws rather than returning
 * false, so a test never passes or fails for the wrong reason.
 */
final class ChecksumVerifier {

    private ChecksumVerifier() {}

    static boolean ipv4HeaderValid(ParsedFrame frame) {
        return expectedIpv4HeaderChecksum(frame) == frame.ipv4().checksum();
    }

    static int expectedIpv4HeaderChecksum(ParsedFrame frame) {
        if (frame.ipv4() == null) {
            throw new IllegalStateException("no ipv4 header: " + frame.summary());
        }
        int from = frame.layout().l3Offset();
        int to = from + frame.ipv4().ihl() * 4;
        if (frame.ipv4().ihl() < 5 || to > frame.layout().raw().length()) {
            throw new IllegalStateException("the ipv4 header is malformed or cut short (ihl " + frame.ipv4().ihl()
                    + "), there is no checksum to check");
        }
        byte[] header = java.util.Arrays.copyOfRange(frame.bytes(), from, to);
        Wire.put16(header, 10, 0);
        return InternetChecksum.checksum(header);
    }

    static boolean transportValid(ParsedFrame frame) {
        int stored = storedTransportChecksum(frame);
        if (frame.udp() != null && stored == 0) {
            // Zero means "not computed" and is legal over IPv4 only (RFC 768, RFC 8200 section 8.1).
            return frame.ipv4() != null;
        }
        // Compare in ones' complement: 0x0000 and 0xffff are the same number.
        int expected = expectedTransportChecksum(frame);
        return expected == stored || (expected == 0xffff && stored == 0) || (expected == 0 && stored == 0xffff);
    }

    static int expectedTransportChecksum(ParsedFrame frame) {
        Layout4 l4 = segment(frame);
        byte[] segment = java.util.Arrays.copyOfRange(frame.bytes(), l4.from, l4.to);
        Wire.put16(segment, l4.checksumAt, 0);
        long initial = l4.protocol == IpProtocol.ICMP ? 0
                : InternetChecksum.pseudoHeaderSum(frame.src(), frame.dst(), l4.protocol, segment.length);
        int checksum = InternetChecksum.checksum(initial, segment, 0, segment.length);
        return l4.protocol == IpProtocol.UDP && checksum == 0 ? 0xffff : checksum;
    }

    static boolean innerValid(ParsedFrame frame) {
        ParseResult inner = frame.inner();
        if (inner == null) {
            throw new IllegalStateException("not an ICMP error with a quoted packet: " + frame.summary());
        }
        ParsedFrame quoted = inner.frame();
        if (quoted.ipv4() == null && quoted.ipv6() == null) {
            throw new IllegalStateException("the quoted packet has no IP header: " + inner.error());
        }
        boolean valid = quoted.ipv4() == null || ipv4HeaderValid(quoted);
        boolean wholeSegment = !quoted.layout().clipped() && !quoted.isFragment()
                && (quoted.tcp() != null || quoted.udp() != null || quoted.icmp() != null || quoted.icmpv6() != null);
        return valid && (!wholeSegment || transportValid(quoted));
    }

    private static int storedTransportChecksum(ParsedFrame frame) {
        if (frame.tcp() != null) {
            return frame.tcp().checksum();
        }
        if (frame.udp() != null) {
            return frame.udp().checksum();
        }
        if (frame.icmp() != null) {
            return frame.icmp().checksum();
        }
        if (frame.icmpv6() != null) {
            return frame.icmpv6().checksum();
        }
        throw new IllegalStateException("no decoded transport header to check: " + frame.summary());
    }

    private record Layout4(int protocol, int from, int to, int checksumAt) {}

    private static Layout4 segment(ParsedFrame frame) {
        if (frame.isFragment()) {
            throw new IllegalStateException("a fragment: its transport checksum covers the reassembled datagram: "
                    + frame.summary());
        }
        if (frame.layout().clipped()) {
            throw new IllegalStateException("the packet is cut short (an ICMP quote), its checksum cannot be checked");
        }
        int checksumAt;
        int protocol;
        if (frame.tcp() != null) {
            protocol = IpProtocol.TCP;
            checksumAt = 16;
        } else if (frame.udp() != null) {
            protocol = IpProtocol.UDP;
            checksumAt = 6;
        } else if (frame.icmp() != null) {
            protocol = IpProtocol.ICMP;
            checksumAt = 2;
        } else if (frame.icmpv6() != null) {
            protocol = IpProtocol.ICMPV6;
            checksumAt = 2;
        } else {
            throw new IllegalStateException("no decoded transport header to check: " + frame.summary());
        }
        return new Layout4(protocol, frame.layout().l4Offset(), frame.layout().l4End(), checksumAt);
    }
}
