package dev.sluice.ffm.netlink;

import dev.sluice.ffm.Errno;
import java.util.Objects;

/**
 * A netlink request the kernel refused, or a reply that cannot be understood. The message names
 * the request; the kernel's extended-ack text, when it sent one, is kept apart because it usually
 * says which attribute it disliked.
 */
public class NetlinkException extends RuntimeException {
    /** The errno carried by replies that break the netlink format (EBADMSG, "bad message"). */
    public static final int MALFORMED = 74;

    private final int errno;
    private final String kernelMessage;

    public NetlinkException(String message, int errno) {
        this(message, errno, "");
    }

    public NetlinkException(String message, int errno, String kernelMessage) {
        super(compose(message, errno, kernelMessage));
        this.errno = Math.abs(errno);
        this.kernelMessage = Objects.requireNonNullElse(kernelMessage, "");
    }

    /** A reply that does not follow the netlink format, named by what was being read. */
    public static NetlinkException malformed(String message) {
        return new NetlinkException(message, MALFORMED);
    }

    private static String compose(String message, int errno, String kernelMessage) {
        StringBuilder text = new StringBuilder(message);
        if (errno != 0) {
            text.append(": ").append(Errno.name(errno));
        }
        if (kernelMessage != null && !kernelMessage.isBlank()) {
            text.append(" (kernel: ").append(kernelMessage.strip()).append(')');
        }
        return text.toString();
    }

    /** The positive errno. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name such as {@code ENOENT}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** What the kernel said through the extended ack, or {@code ""}. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
