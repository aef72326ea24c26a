package dev.sluice.control.datapath.packet;

import java.util.HexFormat;

/** An offset-annotated hex dump, 16 bytes a line, for failure messages. */
public final class HexDump {

    private HexDump() {}

    public static String of(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        HexFormat hex = HexFormat.ofDelimiter(" ");
        for (int at = 0; at < bytes.length; at += 16) {
            int end = Math.min(bytes.length, at + 16);
            out.append(String.format("%04x  ", at))
                    .append(hex.formatHex(bytes, at, end))
                    .append('\n');
        }
        return bytes.length == 0 ? "(0 bytes)" : out.toString().stripTrailing();
    }
}
