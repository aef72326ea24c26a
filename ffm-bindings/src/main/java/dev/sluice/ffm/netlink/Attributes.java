package dev.sluice.ffm.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The attributes of one message or nested attribute, by type. Getters take the field's name so
 * that a missing or mis-sized attribute is reported as "IPVS destination: weight (type 4) ...".
 * Attributes the caller never asks for are ignored, which keeps older code working against newer
 * kernels that add attributes.
 */
public final class Attributes {
    private final String owner;
    private final Map<Integer, ByteBuffer> byType;

    private Attributes(String owner, Map<Integer, ByteBuffer> byType) {
        this.owner = owner;
        this.byType = byType;
    }

    /** Parses a region that holds only attributes; {@code owner} names it in errors. */
    public static Attributes parse(String owner, ByteBuffer region) {
        ByteBuffer data = region.duplicate().order(Netlink.HOST_ORDER);
        Map<Integer, ByteBuffer> byType = new HashMap<>();
        int offset = data.position();
        while (data.limit() - offset >= Netlink.ATTRIBUTE_HEADER_SIZE) {
            int length = Short.toUnsignedInt(data.getShort(offset));
            int type = Short.toUnsignedInt(data.getShort(offset + 2)) & Netlink.NLA_TYPE_MASK;
            if (length < Netlink.ATTRIBUTE_HEADER_SIZE || length > data.limit() - offset) {
                throw NetlinkException.malformed(owner + ": attribute type " + type + " at offset " + offset
                        + " claims " + length + " bytes, " + (data.limit() - offset) + " remain");
            }
            int payload = length - Netlink.ATTRIBUTE_HEADER_SIZE;
            byType.put(type, data.slice(offset + Netlink.ATTRIBUTE_HEADER_SIZE, payload).asReadOnlyBuffer());
            offset += Netlink.align(length);
        }
        return new Attributes(owner, byType);
    }

    public String owner() {
        return owner;
    }

    public boolean has(int type) {
        return byType.containsKey(type);
    }

    public int u8(int type, String field) {
        return Byte.toUnsignedInt(sized(type, field, 1).get(0));
    }

    public int u16(int type, String field) {
        return Short.toUnsignedInt(sized(type, field, 2).order(Netlink.HOST_ORDER).getShort(0));
    }

    /** An unsigned 32-bit value; Java's int holds its bits, callers compare with Integer.toUnsignedLong. */
    public int u32(int type, String field) {
        return sized(type, field, 4).order(Netlink.HOST_ORDER).getInt(0);
    }

    public long u64(int type, String field) {
        return sized(type, field, 8).order(Netlink.HOST_ORDER).getLong(0);
    }

    public int be16(int type, String field) {
        return Short.toUnsignedInt(sized(type, field, 2).order(ByteOrder.BIG_ENDIAN).getShort(0));
    }

    /** A string attribute, up to its first NUL (the kernel sends them NUL-terminated). */
    public String string(int type, String field) {
        ByteBuffer value = required(type, field);
        int end = 0;
        while (end < value.limit() && value.get(end) != 0) {
            end++;
        }
        byte[] text = new byte[end];
        value.get(0, text);
        return new String(text, StandardCharsets.UTF_8);
    }

    public byte[] binary(int type, String field) {
        ByteBuffer value = required(type, field);
        byte[] bytes = new byte[value.limit()];
        value.get(0, bytes);
        return bytes;
    }

    /** A binary attribute that must be at least {@code minimum} bytes long (addresses in unions). */
    public byte[] binary(int type, String field, int minimum) {
        byte[] bytes = binary(type, field);
        if (bytes.length < minimum) {
            throw NetlinkException.malformed(owner + ": " + field + " (type " + type + ") is "
                    + bytes.length + " bytes, expected at least " + minimum);
        }
        return bytes;
    }

    /** The attributes inside a nested attribute, named {@code owner + " " + field} in errors. */
    public Attributes nested(int type, String field) {
        return parse(owner + " " + field, required(type, field));
    }

    private ByteBuffer sized(int type, String field, int size) {
        ByteBuffer value = required(type, field);
        if (value.limit() != size) {
            throw NetlinkException.malformed(owner + ": " + field + " (type " + type + ") is "
                    + value.limit() + " bytes, expected " + size);
        }
        return value.duplicate();
    }

    private ByteBuffer required(int type, String field) {
        ByteBuffer value = byType.get(type);
        if (value == null) {
            throw NetlinkException.malformed(owner + " has no " + field + " (attribute type " + type + ")");
        }
        return value.duplicate();
    }
}
