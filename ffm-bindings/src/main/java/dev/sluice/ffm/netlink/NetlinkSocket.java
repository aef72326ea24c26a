package dev.sluice.ffm.netlink;

import dev.sluice.ffm.Errno;
import dev.sluice.ffm.NativeSupport;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A netlink socket talking to the kernel, one request at a time. The socket belongs to the
 * network namespace of the thread that opens it and stays there whichever thread uses it later;
 * that is how a caller manages IPVS or links inside a namespace it entered only briefly.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetlinkSocket.class);
    // A dump part is at most about 32 KiB (the kernel sizes it from the page size and our buffer);
    // 64 KiB leaves room, and MSG_TRUNC tells us if it ever was not enough.
    private static final int RECEIVE_BUFFER = 64 << 10;
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);
    private static final int DUMP_ATTEMPTS = 3;
    private static final int EINTR = 4;

    private final String name;
    private final int fd;
    private final int portId;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment receiveBuffer;
    private int sequence;
    private boolean closed;

    private NetlinkSocket(String name, int fd, int portId) {
        this.name = name;
        this.fd = fd;
        this.portId = portId;
        this.receiveBuffer = arena.allocate(RECEIVE_BUFFER, 8);
    }

    /**
     * Opens and binds a socket of netlink {@code protocol} ({@link Netlink#NETLINK_ROUTE},
     * {@link Netlink#NETLINK_GENERIC}) in the calling thread's network namespace; {@code name}
     * appears in errors and logs.
     */
    public static NetlinkSocket open(int protocol, String name) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.allocateCallState(scratch);
            int fd = (int) SocketCalls.SOCKET.invokeExact(state, SocketCalls.AF_NETLINK,
                    SocketCalls.SOCK_RAW | SocketCalls.SOCK_CLOEXEC, protocol);
            check(name, "socket", fd, state);
            try {
                MemorySegment address = scratch.allocate(SocketCalls.SOCKADDR_NL_SIZE, 4);
                address.set(ValueLayout.JAVA_SHORT, 0, (short) SocketCalls.AF_NETLINK);
                check(name, "bind", (int) SocketCalls.BIND.invokeExact(state, fd, address,
                        SocketCalls.SOCKADDR_NL_SIZE), state);
                MemorySegment length = scratch.allocateFrom(ValueLayout.JAVA_INT, SocketCalls.SOCKADDR_NL_SIZE);
                check(name, "getsockname", (int) SocketCalls.GETSOCKNAME.invokeExact(state, fd, address, length),
                        state);
                // Extended acks carry the kernel's reason ("Unknown device type") next to the errno.
                MemorySegment one = scratch.allocateFrom(ValueLayout.JAVA_INT, 1);
                check(name, "setsockopt NETLINK_EXT_ACK", (int) SocketCalls.SETSOCKOPT.invokeExact(state, fd,
                        SocketCalls.SOL_NETLINK, SocketCalls.NETLINK_EXT_ACK, one, 4), state);
                MemorySegment timeout = scratch.allocate(16, 8);
                timeout.set(ValueLayout.JAVA_LONG, 0, REPLY_TIMEOUT.toSeconds());
                check(name, "setsockopt SO_RCVTIMEO", (int) SocketCalls.SETSOCKOPT.invokeExact(state, fd,
                        SocketCalls.SOL_SOCKET, SocketCalls.SO_RCVTIMEO, timeout, 16), state);
                int portId = address.get(ValueLayout.JAVA_INT, 4);
                LOG.debug("{} netlink socket fd {} bound as port {}", name, fd, portId);
                return new NetlinkSocket(name, fd, portId);
            } catch (Throwable failure) {
                closeFd(fd);
                throw failure;
            }
        } catch (Throwable thrown) {
            throw NativeSupport.propagate(thrown);
        }
    }

    private static void check(String name, String function, int result, MemorySegment state) {
        if (result < 0) {
            throw new NetlinkException(function + " for the " + name + " netlink socket failed",
                    NativeSupport.errno(state));
        }
    }

    public String name() {
        return name;
    }

    /** The port id the kernel assigned to this socket at bind. */
    public int portId() {
        return portId;
    }

    /**
     * Sends a request with NLM_F_ACK and returns the replies that precede the kernel's ACK (none
     * for NEW/SET/DEL, the answer for a GET). An NLMSG_ERROR is a {@link NetlinkException} whose
     * message starts with {@code what}.
     */
    public synchronized List<NetlinkMessage> request(String what, MessageBuilder message) {
        int sent = send(what, message, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK);
        return receive(what, sent).messages();
    }

    /** Sends a dump request and returns every message of every part, up to NLMSG_DONE. */
    public synchronized List<NetlinkMessage> dump(String what, MessageBuilder message) {
        for (int attempt = 1; ; attempt++) {
            int sent = send(what, message, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP);
            Received received = receive(what, sent);
            if (!received.interrupted()) {
                return received.messages();
            }
            // The table changed while the kernel walked it; the parts may be inconsistent.
            if (attempt == DUMP_ATTEMPTS) {
                throw new NetlinkException(what + " was interrupted by concurrent changes "
                        + DUMP_ATTEMPTS + " times", EINTR);
            }
            LOG.debug("{}: dump interrupted by a concurrent change, retrying", what);
        }
    }

    private record Received(List<NetlinkMessage> messages, boolean interrupted) {
    }

    private int send(String what, MessageBuilder message, int flags) {
        ensureOpen(what);
        int requestSequence = ++sequence;
        byte[] bytes = message.build(requestSequence, flags);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment data = scratch.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            MemorySegment callState = NativeSupport.allocateCallState(scratch);
            long result = (long) SocketCalls.SEND.invokeExact(callState, fd, data, (long) bytes.length, 0);
            if (result < 0) {
                throw new NetlinkException(what + ": cannot send to " + name + " netlink socket",
                        NativeSupport.errno(callState));
            }
        } catch (Throwable thrown) {
            throw NativeSupport.propagate(thrown);
        }
        return requestSequence;
    }

    private Received receive(String what, int expected) {
        List<NetlinkMessage> replies = new ArrayList<>();
        boolean interrupted = false;
        while (true) {
            for (NetlinkMessage message : NetlinkMessage.parseAll(receiveOnce(what), what)) {
                if (message.sequence() != expected) {
                    LOG.debug("{}: skipping a stale reply (sequence {}, expected {})", what, message.sequence(), expected);
                    continue;
                }
                interrupted |= (message.flags() & Netlink.NLM_F_DUMP_INTR) != 0;
                switch (message.type()) {
                    case Netlink.NLMSG_ERROR -> {
                        int error = message.errorCode(what);
                        if (error != 0) {
                            throw new NetlinkException(what, -error, message.extendedAck());
                        }
                        return new Received(replies, interrupted);
                    }
                    case Netlink.NLMSG_DONE -> {
                        int error = message.errorCode(what);
                        if (error != 0) {
                            throw new NetlinkException(what, -error);
                        }
                        return new Received(replies, interrupted);
                    }
                    case Netlink.NLMSG_NOOP -> {
                    }
                    case Netlink.NLMSG_OVERRUN -> throw NetlinkException.malformed(what + ": kernel reported an overrun");
                    default -> replies.add(message);
                }
            }
        }
    }

    private ByteBuffer receiveOnce(String what) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment callState = NativeSupport.allocateCallState(scratch);
            while (true) {
                long length = (long) SocketCalls.RECV.invokeExact(callState, fd, receiveBuffer,
                        (long) RECEIVE_BUFFER, SocketCalls.MSG_TRUNC);
                if (length >= 0) {
                    if (length > RECEIVE_BUFFER) {
                        throw NetlinkException.malformed(what + ": reply of " + length + " bytes exceeds the "
                                + RECEIVE_BUFFER + "-byte receive buffer");
                    }
                    byte[] copy = receiveBuffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
                    return ByteBuffer.wrap(copy).order(Netlink.HOST_ORDER);
                }
                int errno = NativeSupport.errno(callState);
                if (errno == EINTR) {
                    continue;
                }
                if (errno == Errno.EAGAIN) {
                    throw new NetlinkException(what + ": no reply from the kernel within "
                            + REPLY_TIMEOUT.toSeconds() + " s", errno);
                }
                throw new NetlinkException(what + ": cannot receive from " + name + " netlink socket", errno);
            }
        } catch (Throwable thrown) {
            throw NativeSupport.propagate(thrown);
        }
    }

    private void ensureOpen(String what) {
        if (closed) {
            throw new IllegalStateException(what + ": " + name + " netlink socket is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeFd(fd);
        arena.close();
    }

    private static void closeFd(int fd) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.allocateCallState(scratch);
            if ((int) SocketCalls.CLOSE.invokeExact(state, fd) < 0) {
                LOG.warn("cannot close netlink socket fd {}: {}", fd, Errno.name(NativeSupport.errno(state)));
            }
        } catch (Throwable thrown) {
            throw NativeSupport.propagate(thrown);
        }
    }
}
