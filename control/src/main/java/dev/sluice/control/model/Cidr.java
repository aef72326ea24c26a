package dev.sluice.control.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An address block. The address is always the network address: host bits in the parsed text
 * are cleared, as Go's net.ParseCIDR does for the IPNet kube-proxy uses.
 */
public record Cidr(InetAddress address, int prefixLength) {

    public Cidr {
        Objects.requireNonNull(address, "address");
        int bits = IpFamily.of(address).bits();
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + bits);
        }
        address = mask(address, prefixLength);
    }

    /**
     * Parses "address/prefix"; surrounding whitespace is ignored, as kube-proxy does for
     * loadBalancerSourceRanges (API validation lets it through).
     *
     * @throws IllegalArgumentException when the text is not a valid CIDR
     */
    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("empty CIDR");
        }
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid CIDR \"" + text + "\": no prefix length");
        }
        InetAddress address;
        try {
            address = IpAddresses.parse(trimmed.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid CIDR \"" + text + "\": " + e.getMessage());
        }
        String prefix = trimmed.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("invalid CIDR \"" + text + "\": bad prefix length");
        }
        int length = Integer.parseInt(prefix);
        if (length > IpFamily.of(address).bits()) {
            throw new IllegalArgumentException("invalid CIDR \"" + text + "\": prefix length too long");
        }
        return new Cidr(address, length);
    }

    public IpFamily family() {
        return IpFamily.of(address);
    }

    public boolean contains(InetAddress candidate) {
        if (IpFamily.of(candidate) != family()) {
            return false;
        }
        return mask(candidate, prefixLength).equals(address);
    }

    private static InetAddress mask(InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.clamp(prefixLength - i * 8L, 0, 8);
            bytes[i] &= (byte) (0xff00 >>> keep);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
