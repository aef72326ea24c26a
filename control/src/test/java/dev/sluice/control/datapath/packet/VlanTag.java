package dev.sluice.control.datapath.packet;

/** One 802.1Q tag: TPID then priority, drop-eligible bit and VLAN id. */
public record VlanTag(int tpid, int priority, boolean dropEligible, int vlanId) {

    public VlanTag {
        if (priority < 0 || priority > 7 || vlanId < 0 || vlanId > 0xfff) {
            throw new IllegalArgumentException("priority 0..7 and VLAN id 0..4095, got " + priority + ", " + vlanId);
        }
    }

    public static VlanTag of(int vlanId) {
        return new VlanTag(EtherType.VLAN, 0, false, vlanId);
    }

    int tci() {
        return (priority << 13) | (dropEligible ? 0x1000 : 0) | vlanId;
    }
}
