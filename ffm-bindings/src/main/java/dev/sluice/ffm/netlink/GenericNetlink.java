package dev.sluice.ffm.netlink;

import dev.sluice.ffm.Errno;
import java.util.List;
import java.util.Optional;

/**
 * The generic netlink controller (linux/genetlink.h): families such as IPVS get their message
 * type at registration, so a client asks the controller for it by name first.
 */
public final class GenericNetlink {
    public static final int GENL_HEADER_SIZE = 4;
    public static final int GENL_ID_CTRL = 0x10;
    static final int CTRL_CMD_NEWFAMILY = 1;
    static final int CTRL_CMD_GETFAMILY = 3;
    // The controller's own interface version, as genetlink.h's users send it.
    static final int CTRL_VERSION = 2;
    static final int CTRL_ATTR_FAMILY_ID = 1;
    static final int CTRL_ATTR_FAMILY_NAME = 2;
    static final int CTRL_ATTR_VERSION = 3;
    static final int CTRL_ATTR_MAXATTR = 5;

    private GenericNetlink() {
    }

    /** Looks a family up by name; empty when the kernel has no such family (ENOENT). */
    public static Optional<GenericFamily> resolve(NetlinkSocket socket, String family) {
        List<NetlinkMessage> replies;
        try {
            replies = socket.request("resolve generic netlink family '" + family + "'", familyRequest(family));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
        if (replies.isEmpty()) {
            throw NetlinkException.malformed("resolve generic netlink family '" + family
                    + "': the controller acknowledged without describing it");
        }
        return Optional.of(parseFamily(family, replies.getFirst()));
    }

    static MessageBuilder familyRequest(String family) {
        return new MessageBuilder(GENL_ID_CTRL, 0)
                .genlHeader(CTRL_CMD_GETFAMILY, CTRL_VERSION)
                .string(CTRL_ATTR_FAMILY_NAME, family);
    }

    static GenericFamily parseFamily(String family, NetlinkMessage reply) {
        String owner = "generic netlink family '" + family + "'";
        if (reply.type() != GENL_ID_CTRL || reply.genlCommand() != CTRL_CMD_NEWFAMILY) {
            throw NetlinkException.malformed(owner + ": expected a CTRL_CMD_NEWFAMILY reply, got type "
                    + reply.type() + " command " + reply.genlCommand());
        }
        Attributes attributes = reply.attributes(GENL_HEADER_SIZE, owner);
        String name = attributes.string(CTRL_ATTR_FAMILY_NAME, "name");
        if (!name.equals(family)) {
            throw NetlinkException.malformed(owner + ": the controller described family '" + name + "' instead");
        }
        return new GenericFamily(name, attributes.u16(CTRL_ATTR_FAMILY_ID, "id"),
                attributes.u32(CTRL_ATTR_VERSION, "version"), attributes.u32(CTRL_ATTR_MAXATTR, "maxattr"));
    }
}
