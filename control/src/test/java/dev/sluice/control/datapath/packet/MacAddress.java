package dev.sluice.control.datapath.packet;

import java.util.HexFormat;

/** A 48-bit Ethernet address. */
public record MacAddress(Octets octets) {

    public MacAddress {
        if (octets.length() != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + octets.length());
        }
    }

    public static MacAddress of(byte[] bytes) {
        return new MacAddress(Octets.of(bytes));
    }

    /** Accepts "02:00:00:00:00:01" or "02-00-00-00-00-01". */
    public static MacAddress of(String text) {
        String[] parts = text.trim().split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'");
        }
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 2) {
                throw new IllegalArgumentException("not a MAC address: '" + text + "'");
            }
            bytes[i] = (byte) HexFormat.fromHexDigits(parts[i]);
        }
        return new MacAddress(Octets.of(bytes));
    }

    public byte[] toArray() {
        return octets.toArray();
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(octets.toArray());
    }
}
