package dev.sluice.ffm.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Encodes and decodes the rtnetlink messages of linux/rtnetlink.h, if_link.h and if_addr.h sluice uses. */
final class RtnetlinkMessages {
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;

    static final int IFINFOMSG_SIZE = 16;
    static final int IFADDRMSG_SIZE = 8;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_INFO_KIND = 1;
    static final int IFF_UP = 1;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_FLAGS = 8;
    // Without DAD an IPv6 service address is usable the moment it is added, as an IPv4 one is.
    static final int IFA_F_NODAD = 0x02;
    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    // IFNAMSIZ minus the terminating NUL.
    static final int MAX_NAME_LENGTH = 15;

    private RtnetlinkMessages() {
    }

    static MessageBuilder getLink(String name) {
        return new MessageBuilder(RTM_GETLINK, 0).header(ifinfomsg(0, 0, 0)).string(IFLA_IFNAME, checkedName(name));
    }

    static MessageBuilder dumpLinks() {
        return new MessageBuilder(RTM_GETLINK, 0).header(ifinfomsg(0, 0, 0));
    }

    static MessageBuilder newLink(String name, String kind) {
        MessageBuilder message = new MessageBuilder(RTM_NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)
                .header(ifinfomsg(0, 0, 0))
                .string(IFLA_IFNAME, checkedName(name));
        int linkInfo = message.beginNested(IFLA_LINKINFO);
        message.string(IFLA_INFO_KIND, kind);
        return message.endNested(linkInfo);
    }

    static MessageBuilder deleteLink(String name) {
        return new MessageBuilder(RTM_DELLINK, 0).header(ifinfomsg(0, 0, 0)).string(IFLA_IFNAME, checkedName(name));
    }

    static MessageBuilder setUp(int index) {
        return new MessageBuilder(RTM_NEWLINK, 0).header(ifinfomsg(index, IFF_UP, IFF_UP));
    }

    static MessageBuilder newAddress(int index, LinkAddress address) {
        return addressMessage(RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, index, address)
                .u32(IFA_FLAGS, address.address() instanceof Inet4Address ? 0 : IFA_F_NODAD);
    }

    static MessageBuilder deleteAddress(int index, LinkAddress address) {
        return addressMessage(RTM_DELADDR, 0, index, address);
    }

    static MessageBuilder dumpAddresses() {
        return new MessageBuilder(RTM_GETADDR, 0).header(new byte[IFADDRMSG_SIZE]);
    }

    static Link decodeLink(NetlinkMessage message) {
        ByteBuffer body = message.body();
        if (message.type() != RTM_NEWLINK || body.limit() < IFINFOMSG_SIZE) {
            throw NetlinkException.malformed("link: expected an RTM_NEWLINK of at least " + IFINFOMSG_SIZE
                    + " bytes, got type " + message.type() + " of " + body.limit());
        }
        int index = body.getInt(4);
        int flags = body.getInt(8);
        Attributes attributes = message.attributes(IFINFOMSG_SIZE, "link " + index);
        String name = attributes.string(IFLA_IFNAME, "name");
        String kind = "";
        if (attributes.has(IFLA_LINKINFO)) {
            Attributes info = attributes.nested(IFLA_LINKINFO, "link info");
            kind = info.has(IFLA_INFO_KIND) ? info.string(IFLA_INFO_KIND, "kind") : "";
        }
        return new Link(index, name, kind, (flags & IFF_UP) != 0);
    }

    /** The link index an RTM_NEWADDR belongs to, and its address. */
    record IndexedAddress(int index, LinkAddress address) {
    }

    static IndexedAddress decodeAddress(NetlinkMessage message) {
        ByteBuffer body = message.body();
        if (message.type() != RTM_NEWADDR || body.limit() < IFADDRMSG_SIZE) {
            throw NetlinkException.malformed("address: expected an RTM_NEWADDR of at least " + IFADDRMSG_SIZE
                    + " bytes, got type " + message.type() + " of " + body.limit());
        }
        int family = Byte.toUnsignedInt(body.get(0));
        int prefixLength = Byte.toUnsignedInt(body.get(1));
        int index = body.getInt(4);
        String owner = "address of link " + index;
        Attributes attributes = message.attributes(IFADDRMSG_SIZE, owner);
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS differs from it only on point-to-point links.
        int type = attributes.has(IFA_LOCAL) ? IFA_LOCAL : IFA_ADDRESS;
        byte[] raw = attributes.binary(type, type == IFA_LOCAL ? "local" : "address");
        int expected = family == AF_INET ? 4 : 16;
        if (raw.length != expected) {
            throw NetlinkException.malformed(owner + ": family " + family + " address is " + raw.length
                    + " bytes, expected " + expected);
        }
        try {
            return new IndexedAddress(index, new LinkAddress(InetAddress.getByAddress(raw), prefixLength));
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static String checkedName(String name) {
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length == 0 || length > MAX_NAME_LENGTH || name.contains("/") || name.isBlank()) {
            throw new IllegalArgumentException("link name '" + name + "' must be 1.." + MAX_NAME_LENGTH
                    + " bytes without '/' or blanks");
        }
        return name;
    }

    private static MessageBuilder addressMessage(int type, int flags, int index, LinkAddress address) {
        byte[] raw = address.address().getAddress();
        ByteBuffer header = ByteBuffer.allocate(IFADDRMSG_SIZE).order(Netlink.HOST_ORDER);
        header.put((byte) (raw.length == 4 ? AF_INET : AF_INET6)).put((byte) address.prefixLength())
                .put((byte) 0).put((byte) 0).putInt(index);
        return new MessageBuilder(type, flags).header(header.array()).binary(IFA_LOCAL, raw).binary(IFA_ADDRESS, raw);
    }

    private static byte[] ifinfomsg(int index, int flags, int change) {
        ByteBuffer header = ByteBuffer.allocate(IFINFOMSG_SIZE).order(Netlink.HOST_ORDER);
        header.put((byte) AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(index).putInt(flags).putInt(change);
        return header.array();
    }
}
