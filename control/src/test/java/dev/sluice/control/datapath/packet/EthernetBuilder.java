package dev.sluice.control.datapath.packet;

import java.net.InetAddress;

/** Ethernet layer of a frame; continue with ipv4/ipv6, or give a raw payload. */
public final class EthernetBuilder extends CopyOnWrite<EthernetBuilder> implements PacketBuilder {

    /** IEEE 802 "local experimental" EtherType: a safe default for frames with a raw payload. */
    public static final int EXPERIMENTAL_ETHERTYPE = 0x88b5;

    private final MacAddress src;
    private final MacAddress dst;
    private VlanTag vlan;
    private Integer etherType;
    private Octets payload = Octets.EMPTY;

    EthernetBuilder(MacAddress src, MacAddress dst) {
        this.src = src;
        this.dst = dst;
    }

    public EthernetBuilder vlan(int vlanId) {
        return vlan(VlanTag.of(vlanId));
    }

    public EthernetBuilder vlan(VlanTag tag) {
        return with(c -> c.vlan = tag);
    }

    /** Overrides the EtherType, which otherwise follows the layer above. */
    public EthernetBuilder etherType(int type) {
        return with(c -> c.etherType = type);
    }

    public EthernetBuilder payload(byte[] bytes) {
        return with(c -> c.payload = Octets.of(bytes));
    }

    public Ipv4Builder ipv4(String src, String dst) {
        return new Ipv4Builder(this, Addresses.ipv4(src), Addresses.ipv4(dst));
    }

    public Ipv4Builder ipv4(InetAddress src, InetAddress dst) {
        return new Ipv4Builder(this, Addresses.ipv4(src), Addresses.ipv4(dst));
    }

    public Ipv6Builder ipv6(String src, String dst) {
        return new Ipv6Builder(this, Addresses.ipv6(src), Addresses.ipv6(dst));
    }

    public Ipv6Builder ipv6(InetAddress src, InetAddress dst) {
        return new Ipv6Builder(this, Addresses.ipv6(src), Addresses.ipv6(dst));
    }

    public EthernetHeader header(int defaultEtherType) {
        return new EthernetHeader(dst, src, vlan, etherType != null ? etherType : defaultEtherType);
    }

    byte[] wrap(int defaultEtherType, byte[] l3) {
        return Wire.concat(header(defaultEtherType).encode(), l3);
    }

    @Override
    public byte[] build() {
        return wrap(EXPERIMENTAL_ETHERTYPE, payload.toArray());
    }

    @Override
    public boolean hasEthernet() {
        return true;
    }
}
