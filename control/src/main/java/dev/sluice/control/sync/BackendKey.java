package dev.sluice.control.sync;

import java.net.InetAddress;

/** A backend's identity: the same endpoint keeps the same backend id across syncs and restarts. */
record BackendKey(InetAddress address, int port) {
    /** The string the Maglev table hashes: identical on every node for the same endpoint. */
    String maglevId() {
        return address.getHostAddress() + ":" + port;
    }
}
