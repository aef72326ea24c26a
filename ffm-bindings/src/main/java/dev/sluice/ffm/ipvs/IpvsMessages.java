package dev.sluice.ffm.ipvs;

import dev.sluice.ffm.netlink.Attributes;
import dev.sluice.ffm.netlink.GenericNetlink;
import dev.sluice.ffm.netlink.MessageBuilder;
import dev.sluice.ffm.netlink.Netlink;
import dev.sluice.ffm.netlink.NetlinkException;
import dev.sluice.ffm.netlink.NetlinkMessage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/** Encodes IPVS requests and decodes the kernel's replies; no I/O, so every byte is testable. */
final class IpvsMessages {
    private IpvsMessages() {
    }

    /** A command with no attributes (GET_INFO, FLUSH, the service dump). */
    static MessageBuilder command(int familyId, int command) {
        return new MessageBuilder(familyId, 0).genlHeader(command, IpvsUapi.GENL_VERSION);
    }

    /** A command naming a service by its key only (DEL_SERVICE, GET_SERVICE, the destination dump). */
    static MessageBuilder serviceKey(int familyId, int command, IpvsServiceKey key) {
        MessageBuilder message = command(familyId, command);
        int nest = message.beginNested(IpvsUapi.CMD_ATTR_SERVICE);
        putKey(message, key);
        return message.endNested(nest);
    }

    /**
     * NEW_SERVICE or SET_SERVICE: the kernel wants every setting on both. The flag mask covers
     * all bits, so a flag left out is cleared rather than kept from the previous setting.
     */
    static MessageBuilder service(int familyId, int command, IpvsService service) {
        MessageBuilder message = command(familyId, command);
        int nest = message.beginNested(IpvsUapi.CMD_ATTR_SERVICE);
        putKey(message, service.key());
        message.string(IpvsUapi.SVC_ATTR_SCHED_NAME, service.scheduler());
        message.binary(IpvsUapi.SVC_ATTR_FLAGS, flags(IpvsServiceFlag.bits(service.flags()), -1));
        message.u32(IpvsUapi.SVC_ATTR_TIMEOUT, service.persistenceTimeoutSeconds());
        message.binary(IpvsUapi.SVC_ATTR_NETMASK, netmask(service.key(), service.netmaskPrefixLength()));
        return message.endNested(nest);
    }

    /**
     * A service on a firewall mark instead of an address, used only to ask whether a scheduler
     * exists: adding it makes the kernel look the scheduler up (and load its module).
     */
    static MessageBuilder fwmarkService(int familyId, int command, int fwmark, String scheduler) {
        MessageBuilder message = command(familyId, command);
        int nest = message.beginNested(IpvsUapi.CMD_ATTR_SERVICE);
        message.u16(IpvsUapi.SVC_ATTR_AF, IpvsUapi.AF_INET);
        message.u32(IpvsUapi.SVC_ATTR_FWMARK, fwmark);
        if (command == IpvsUapi.CMD_NEW_SERVICE) {
            message.string(IpvsUapi.SVC_ATTR_SCHED_NAME, scheduler);
            message.binary(IpvsUapi.SVC_ATTR_FLAGS, flags(0, -1));
            message.u32(IpvsUapi.SVC_ATTR_TIMEOUT, 0);
            message.binary(IpvsUapi.SVC_ATTR_NETMASK, netmask(32, false));
        }
        return message.endNested(nest);
    }

    /**
     * NEW_DEST, SET_DEST (full destination) or DEL_DEST (address and port only). The address
     * family is always sent, which is what lets an IPv4 service have an IPv6 destination (the
     * kernel allows that for tunnelling only).
     */
    static MessageBuilder destination(int familyId, int command, IpvsServiceKey key, IpvsDestination destination) {
        MessageBuilder message = serviceKey(familyId, command, key);
        int nest = message.beginNested(IpvsUapi.CMD_ATTR_DEST);
        message.u16(IpvsUapi.DEST_ATTR_ADDR_FAMILY, destination.isIpv6() ? IpvsUapi.AF_INET6 : IpvsUapi.AF_INET);
        message.binary(IpvsUapi.DEST_ATTR_ADDR, address(destination.address()));
        message.be16(IpvsUapi.DEST_ATTR_PORT, destination.port());
        if (command != IpvsUapi.CMD_DEL_DEST) {
            message.u32(IpvsUapi.DEST_ATTR_FWD_METHOD, destination.forwardMethod().code());
            message.u32(IpvsUapi.DEST_ATTR_WEIGHT, destination.weight());
            message.u32(IpvsUapi.DEST_ATTR_U_THRESH, destination.upperThreshold());
            message.u32(IpvsUapi.DEST_ATTR_L_THRESH, destination.lowerThreshold());
        }
        return message.endNested(nest);
    }

    /**
     * A service from a NEW_SERVICE reply, or empty for a firewall-mark service, which has no
     * address and port and so no {@link IpvsServiceKey}.
     */
    static Optional<IpvsService> decodeService(NetlinkMessage reply) {
        Attributes service = reply.attributes(GenericNetlink.GENL_HEADER_SIZE, "IPVS reply")
                .nested(IpvsUapi.CMD_ATTR_SERVICE, "service");
        if (service.has(IpvsUapi.SVC_ATTR_FWMARK) && !service.has(IpvsUapi.SVC_ATTR_ADDR)) {
            return Optional.empty();
        }
        int family = service.u16(IpvsUapi.SVC_ATTR_AF, "address family");
        InetAddress address = decodeAddress(service, IpvsUapi.SVC_ATTR_ADDR, family, "address");
        IpvsServiceKey key;
        try {
            key = new IpvsServiceKey(address, IpvsProtocol.of(service.u16(IpvsUapi.SVC_ATTR_PROTOCOL, "protocol")),
                    service.be16(IpvsUapi.SVC_ATTR_PORT, "port"));
        } catch (IllegalArgumentException e) {
            throw NetlinkException.malformed(service.owner() + " " + address.getHostAddress() + ": " + e.getMessage());
        }
        // Parsed again under the service's name, so that a missing setting names the service.
        String owner = "IPVS service " + key;
        Attributes named = reply.attributes(GenericNetlink.GENL_HEADER_SIZE, owner)
                .nested(IpvsUapi.CMD_ATTR_SERVICE, "settings");
        ByteBuffer flags = ByteBuffer.wrap(named.binary(IpvsUapi.SVC_ATTR_FLAGS, "flags", IpvsUapi.FLAGS_SIZE))
                .order(Netlink.HOST_ORDER);
        int bits = flags.getInt(0) & ~IpvsUapi.SVC_F_HASHED;
        byte[] netmask = named.binary(IpvsUapi.SVC_ATTR_NETMASK, "netmask", 4);
        return Optional.of(new IpvsService(key, named.string(IpvsUapi.SVC_ATTR_SCHED_NAME, "scheduler"),
                IpvsServiceFlag.of(bits), named.u32(IpvsUapi.SVC_ATTR_TIMEOUT, "timeout"),
                prefixLength(key, netmask)));
    }

    static IpvsDestination decodeDestination(NetlinkMessage reply, IpvsServiceKey key) {
        String owner = "IPVS service " + key;
        Attributes destination = reply.attributes(GenericNetlink.GENL_HEADER_SIZE, owner)
                .nested(IpvsUapi.CMD_ATTR_DEST, "destination");
        // Kernels before 4.x omit the family: destinations then share the service's.
        int family = destination.has(IpvsUapi.DEST_ATTR_ADDR_FAMILY)
                ? destination.u16(IpvsUapi.DEST_ATTR_ADDR_FAMILY, "address family")
                : key.addressFamily();
        InetAddress address = decodeAddress(destination, IpvsUapi.DEST_ATTR_ADDR, family, "address");
        int forward = destination.u32(IpvsUapi.DEST_ATTR_FWD_METHOD, "forward method") & IpvsUapi.CONN_F_FWD_MASK;
        IpvsDestinationStats stats = new IpvsDestinationStats(
                unsigned(destination.u32(IpvsUapi.DEST_ATTR_ACTIVE_CONNS, "active connections")),
                unsigned(destination.u32(IpvsUapi.DEST_ATTR_INACT_CONNS, "inactive connections")),
                unsigned(destination.u32(IpvsUapi.DEST_ATTR_PERSIST_CONNS, "persistent connections")));
        try {
            return new IpvsDestination(address, destination.be16(IpvsUapi.DEST_ATTR_PORT, "port"),
                    IpvsForwardMethod.of(forward), destination.u32(IpvsUapi.DEST_ATTR_WEIGHT, "weight"),
                    destination.u32(IpvsUapi.DEST_ATTR_U_THRESH, "upper threshold"),
                    destination.u32(IpvsUapi.DEST_ATTR_L_THRESH, "lower threshold"), Optional.of(stats));
        } catch (IllegalArgumentException e) {
            throw NetlinkException.malformed(owner + ": " + e.getMessage());
        }
    }

    static IpvsInfo decodeInfo(NetlinkMessage reply) {
        if (reply.genlCommand() != IpvsUapi.CMD_SET_INFO) {
            throw NetlinkException.malformed("IPVS info: expected an IPVS_CMD_SET_INFO reply, got command "
                    + reply.genlCommand());
        }
        Attributes info = reply.attributes(GenericNetlink.GENL_HEADER_SIZE, "IPVS info");
        return new IpvsInfo(info.u32(IpvsUapi.INFO_ATTR_VERSION, "version"),
                info.u32(IpvsUapi.INFO_ATTR_CONN_TAB_SIZE, "connection table size"));
    }

    private static void putKey(MessageBuilder message, IpvsServiceKey key) {
        message.u16(IpvsUapi.SVC_ATTR_AF, key.addressFamily());
        message.u16(IpvsUapi.SVC_ATTR_PROTOCOL, key.protocol().number());
        message.binary(IpvsUapi.SVC_ATTR_ADDR, address(key.address()));
        message.be16(IpvsUapi.SVC_ATTR_PORT, key.port());
    }

    /** The address as the kernel's union nf_inet_addr: 16 bytes, an IPv4 address in the first four. */
    private static byte[] address(InetAddress address) {
        return Arrays.copyOf(address.getAddress(), IpvsUapi.ADDRESS_SIZE);
    }

    private static InetAddress decodeAddress(Attributes attributes, int type, int family, String field) {
        int length = switch (family) {
            case IpvsUapi.AF_INET -> 4;
            case IpvsUapi.AF_INET6 -> 16;
            default -> throw NetlinkException.malformed(attributes.owner() + ": address family " + family
                    + " is neither AF_INET nor AF_INET6");
        };
        byte[] raw = attributes.binary(type, field, length);
        try {
            return InetAddress.getByAddress(Arrays.copyOf(raw, length));
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static byte[] flags(int flags, int mask) {
        return ByteBuffer.allocate(IpvsUapi.FLAGS_SIZE).order(Netlink.HOST_ORDER).putInt(flags).putInt(mask).array();
    }

    private static byte[] netmask(IpvsServiceKey key, int prefixLength) {
        return netmask(prefixLength, key.isIpv6());
    }

    /**
     * The kernel keeps an IPv4 netmask as a mask in network order, but an IPv6 one as the prefix
     * length itself in host order (ip_vs_add_service checks it against 1..128).
     */
    private static byte[] netmask(int prefixLength, boolean ipv6) {
        if (ipv6) {
            return ByteBuffer.allocate(4).order(Netlink.HOST_ORDER).putInt(prefixLength).array();
        }
        int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(mask).array();
    }

    private static int prefixLength(IpvsServiceKey key, byte[] netmask) {
        if (key.isIpv6()) {
            return ByteBuffer.wrap(netmask).order(Netlink.HOST_ORDER).getInt(0);
        }
        int mask = ByteBuffer.wrap(netmask).order(ByteOrder.BIG_ENDIAN).getInt(0);
        int prefix = Integer.bitCount(mask);
        if (mask != (prefix == 0 ? 0 : -1 << (32 - prefix))) {
            throw NetlinkException.malformed("IPVS service " + key + ": netmask " + Integer.toHexString(mask)
                    + " is not a prefix");
        }
        return prefix;
    }

    private static long unsigned(int value) {
        return Integer.toUnsignedLong(value);
    }
}
