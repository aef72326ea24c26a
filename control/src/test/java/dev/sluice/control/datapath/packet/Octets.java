package dev.sluice.control.datapath.packet;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string. Records hold these instead of byte[] so that their equals, hashCode and
 * toString compare and print contents, which is what round-trip assertions and diffs need.
 */
public final class Octets {

    public static final Octets EMPTY = new Octets(new byte[0]);
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private Octets(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Octets of(byte... bytes) {
        return bytes.length == 0 ? EMPTY : new Octets(bytes.clone());
    }

    public static Octets of(byte[] bytes, int from, int to) {
        return new Octets(Arrays.copyOfRange(bytes, from, to));
    }

    /** Parses hex, ignoring whitespace, ':' and '-' so that dumps can be pasted as they are. */
    public static Octets hex(String hex) {
        return new Octets(HEX.parseHex(hex.replaceAll("[\\s:-]", "")));
    }

    public byte[] toArray() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    public int get(int index) {
        return bytes[index] & 0xff;
    }

    public String toHex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Octets o && Arrays.equals(bytes, o.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return bytes.length == 0 ? "[]" : "[" + toHex() + "]";
    }
}
