package dev.sluice.control.datapath.packet;

import java.nio.ByteBuffer;

/** An Ethernet II header; {@code vlan} is null for untagged frames. */
public record EthernetHeader(MacAddress dst, MacAddress src, VlanTag vlan, int etherType) {

    public int length() {
        return vlan == null ? 14 : 18;
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(length());
        out.put(dst.toArray()).put(src.toArray());
        if (vlan != null) {
            out.putShort((short) vlan.tpid()).putShort((short) vlan.tci());
        }
        out.putShort((short) etherType);
        return out.array();
    }
}
