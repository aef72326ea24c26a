package dev.sluice.control.datapath.packet;

import java.util.StringJoiner;

/** TCP control bits, with their bit in the 8-bit flags byte. */
public enum TcpFlag {
    FIN(0x01), SYN(0x02), RST(0x04), PSH(0x08), ACK(0x10), URG(0x20), ECE(0x40), CWR(0x80);

    public final int bit;

    TcpFlag(int bit) {
        this.bit = bit;
    }

    public static int mask(TcpFlag... flags) {
        int mask = 0;
        for (TcpFlag flag : flags) {
            mask |= flag.bit;
        }
        return mask;
    }

    /** "SYN|ACK" style, used in toString and diffs so that failures read like tcpdump. */
    public static String describe(int mask) {
        StringJoiner joiner = new StringJoiner("|");
        for (TcpFlag flag : values()) {
            if ((mask & flag.bit) != 0) {
                joiner.add(flag.name());
            }
        }
        return mask == 0 ? "none" : joiner.toString();
    }
}
