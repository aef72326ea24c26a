package dev.sluice.ffm.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One message of a netlink reply. {@code body} is everything after the nlmsghdr, in host byte
 * order, positioned at 0.
 */
public record NetlinkMessage(int type, int flags, int sequence, int portId, ByteBuffer body) {

    /** Splits a received datagram into its messages, checking every length against the datagram. */
    public static List<NetlinkMessage> parseAll(ByteBuffer datagram, String what) {
        ByteBuffer data = datagram.duplicate().order(Netlink.HOST_ORDER);
        List<NetlinkMessage> messages = new ArrayList<>();
        int offset = data.position();
        while (data.limit() - offset >= Netlink.HEADER_SIZE) {
            int length = data.getInt(offset);
            if (length < Netlink.HEADER_SIZE || length > data.limit() - offset) {
                throw NetlinkException.malformed("reply to " + what + ": message at offset " + offset
                        + " claims " + length + " bytes, " + (data.limit() - offset) + " remain");
            }
            ByteBuffer body = data.slice(offset + Netlink.HEADER_SIZE, length - Netlink.HEADER_SIZE)
                    .order(Netlink.HOST_ORDER);
            messages.add(new NetlinkMessage(Short.toUnsignedInt(data.getShort(offset + 4)),
                    Short.toUnsignedInt(data.getShort(offset + 6)), data.getInt(offset + 8),
                    data.getInt(offset + 12), body.asReadOnlyBuffer().order(Netlink.HOST_ORDER)));
            offset += Netlink.align(length);
        }
        return messages;
    }

    public boolean isError() {
        return type == Netlink.NLMSG_ERROR;
    }

    public boolean isDone() {
        return type == Netlink.NLMSG_DONE;
    }

    /**
     * The negative errno of an NLMSG_ERROR (0 for an ACK), or of an NLMSG_DONE that ends a dump
     * the kernel could not finish.
     */
    public int errorCode(String what) {
        if (body.remaining() < 4) {
            if (isDone()) {
                return 0;
            }
            throw NetlinkException.malformed("reply to " + what + ": error message of " + body.remaining()
                    + " bytes has no error code");
        }
        return body.getInt(0);
    }

    /**
     * The text of the extended ack (NLMSGERR_ATTR_MSG) of an NLMSG_ERROR, or {@code ""}. The TLVs
     * follow the echoed request, which is only its header when NLM_F_CAPPED is set.
     */
    public String extendedAck() {
        if ((flags & Netlink.NLM_F_ACK_TLVS) == 0 || body.remaining() < 4 + Netlink.HEADER_SIZE) {
            return "";
        }
        int echoed = (flags & Netlink.NLM_F_CAPPED) != 0 ? Netlink.HEADER_SIZE : body.getInt(4);
        int start = 4 + Netlink.align(echoed);
        if (start > body.limit()) {
            return "";
        }
        Attributes tlvs = Attributes.parse("extended ack", body.slice(start, body.limit() - start));
        return tlvs.has(Netlink.NLMSGERR_ATTR_MSG) ? tlvs.string(Netlink.NLMSGERR_ATTR_MSG, "message") : "";
    }

    /** The generic netlink command of this message (first byte of its genlmsghdr). */
    public int genlCommand() {
        return Byte.toUnsignedInt(body.get(0));
    }

    /** The attributes that follow a protocol header of {@code headerSize} bytes. */
    public Attributes attributes(int headerSize, String owner) {
        int start = Netlink.align(headerSize);
        if (start > body.limit()) {
            throw NetlinkException.malformed(owner + ": message of " + body.limit()
                    + " bytes is shorter than its " + headerSize + "-byte header");
        }
        return Attributes.parse(owner, body.slice(start, body.limit() - start));
    }
}
