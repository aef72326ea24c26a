package dev.sluice.ffm.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink request: the nlmsghdr, a protocol header (genlmsghdr, ifinfomsg...) and
 * attributes, each padded to 4 bytes. The socket fills in the sequence number and the
 * REQUEST/ACK/DUMP flags when it sends, so a builder describes only what is asked.
 */
public final class MessageBuilder {
    private static final int INITIAL_CAPACITY = 256;

    private final int type;
    private final int flags;
    private ByteBuffer buffer = ByteBuffer.allocate(INITIAL_CAPACITY).order(Netlink.HOST_ORDER);

    /** A message of {@code type} with protocol flags such as {@link Netlink#NLM_F_CREATE}. */
    public MessageBuilder(int type, int flags) {
        this.type = type;
        this.flags = flags;
        buffer.position(Netlink.HEADER_SIZE);
    }

    public int type() {
        return type;
    }

    /** The generic netlink header: command, family version, two reserved bytes. */
    public MessageBuilder genlHeader(int command, int version) {
        ensure(4);
        buffer.put((byte) command).put((byte) version).putShort((short) 0);
        return this;
    }

    /** A protocol header given as raw bytes (ifinfomsg, ifaddrmsg), padded. */
    public MessageBuilder header(byte[] bytes) {
        ensure(Netlink.align(bytes.length));
        buffer.put(bytes);
        pad();
        return this;
    }

    public MessageBuilder u8(int attribute, int value) {
        return attribute(attribute, new byte[] {(byte) value});
    }

    public MessageBuilder u16(int attribute, int value) {
        return attribute(attribute, ordered(2, Netlink.HOST_ORDER).putShort((short) value).array());
    }

    public MessageBuilder u32(int attribute, int value) {
        return attribute(attribute, ordered(4, Netlink.HOST_ORDER).putInt(value).array());
    }

    public MessageBuilder u64(int attribute, long value) {
        return attribute(attribute, ordered(8, Netlink.HOST_ORDER).putLong(value).array());
    }

    /** A 16-bit value in network byte order (ports). */
    public MessageBuilder be16(int attribute, int value) {
        return attribute(attribute, ordered(2, ByteOrder.BIG_ENDIAN).putShort((short) value).array());
    }

    /** A NUL-terminated string. */
    public MessageBuilder string(int attribute, String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        return attribute(attribute, Arrays.copyOf(text, text.length + 1));
    }

    public MessageBuilder binary(int attribute, byte[] value) {
        return attribute(attribute, value);
    }

    /**
     * Opens a nested attribute; everything added until {@link #endNested(int)} with the returned
     * mark goes inside it. NLA_F_NESTED is set because strictly validated families require it
     * and the others ignore it.
     */
    public int beginNested(int attribute) {
        int start = buffer.position();
        ensure(Netlink.ATTRIBUTE_HEADER_SIZE);
        buffer.putShort((short) 0).putShort((short) (attribute | Netlink.NLA_F_NESTED));
        return start;
    }

    public MessageBuilder endNested(int mark) {
        buffer.putShort(mark, (short) (buffer.position() - mark));
        return this;
    }

    /** The bytes to send: header completed with the total length, flags and sequence number. */
    public byte[] build(int sequence, int extraFlags) {
        ByteBuffer header = buffer.duplicate().order(Netlink.HOST_ORDER);
        header.putInt(0, buffer.position());
        header.putShort(4, (short) type);
        header.putShort(6, (short) (flags | extraFlags));
        header.putInt(8, sequence);
        header.putInt(12, 0);
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private MessageBuilder attribute(int attribute, byte[] payload) {
        int length = Netlink.ATTRIBUTE_HEADER_SIZE + payload.length;
        if (length > 0xffff) {
            throw new IllegalArgumentException("netlink attribute " + attribute + " of " + payload.length
                    + " bytes exceeds the 64 KiB attribute limit");
        }
        ensure(Netlink.align(length));
        buffer.putShort((short) length).putShort((short) attribute).put(payload);
        pad();
        return this;
    }

    private void pad() {
        while (buffer.position() % Netlink.ALIGNMENT != 0) {
            buffer.put((byte) 0);
        }
    }

    private void ensure(int more) {
        if (buffer.remaining() >= more) {
            return;
        }
        int capacity = Math.max(buffer.capacity() * 2, buffer.position() + more);
        ByteBuffer larger = ByteBuffer.allocate(capacity).order(Netlink.HOST_ORDER);
        larger.put(buffer.array(), 0, buffer.position());
        buffer = larger;
    }

    private static ByteBuffer ordered(int size, ByteOrder order) {
        return ByteBuffer.allocate(size).order(order);
    }
}
