package dev.sluice.lab;

/**
 * The ways a TCP connection ends, each played on a {@link PayloadConnection} after a small
 * exchange (100 B, under any size limit, so only the ending is on trial). Each returns once the
 * client has seen the end it waits for (the server's FIN or RST); a client's socket still closing
 * makes Linux refuse a new connection on the same four-tuple (EADDRNOTAVAIL), which
 * {@link PayloadConnection#reopen} waits out.
 *
 * <p>What Linux allows afterwards, for a client that binds its old address and port again with
 * SO_REUSEADDR (set on the old socket as well) and connects to the same destination:
 * <ul>
 *   <li>the server closed or reset first, or the client reset (SO_LINGER 0): the client's socket
 *       is gone at once (after a FIN, once the server's ACK of the client's own FIN is in);
 *   <li>the client's FIN went first (client close, half-close): the socket is in TIME_WAIT for
 *       60 s, and connect() takes it over at once when TCP timestamps were on (the default): for
 *       a port bound by the application {@code __inet_hash_connect} passes no TIME_WAIT hint to
 *       {@code tcp_twsk_unique}, which then only asks for a timestamp, never net.ipv4.tcp_tw_reuse
 *       (that sysctl governs ports the kernel picks). Without timestamps it would be EADDRNOTAVAIL
 *       for 60 s.
 * </ul>
 * So every ending allows a new connection from the same address and port at once; a hang there
 * is the datapath's stale state.
 */
enum Ending {
    /** The client's FIN first; the server answers with its own; the client ends in TIME_WAIT. */
    CLIENT_CLOSES_FIRST {
        @Override
        void play(PayloadConnection connection) {
            connection.receive(SMALL);
            connection.closeFirstAndAwaitTheServersClose();
        }
    },
    /** The server's FIN first (as an HTTP/1.0 server does); the client closes on end of stream. */
    SERVER_CLOSES_FIRST {
        @Override
        void play(PayloadConnection connection) {
            connection.receiveUntilServerCloses(SMALL);
        }
    },
    /** The server resets (SO_LINGER 0) after an exchange. */
    SERVER_RESETS {
        @Override
        void play(PayloadConnection connection) {
            connection.receive(SMALL);
            connection.serverResets();
        }
    },
    /** The client resets (SO_LINGER 0) after an exchange. */
    CLIENT_RESETS {
        @Override
        void play(PayloadConnection connection) {
            connection.receive(SMALL);
            connection.reset();
        }
    },
    /** The client's FIN first, and the server still sends 100 B before its own FIN. */
    HALF_CLOSE {
        @Override
        void play(PayloadConnection connection) {
            connection.halfClose(SMALL);
        }
    };

    static final long SMALL = 100;

    abstract void play(PayloadConnection connection);
}
