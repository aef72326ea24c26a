package dev.sluice.ffm.testing;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two lab hosts joined by one veth pair, each in a namespace this lab creates and deletes: host A
 * (198.18.0.1) and host B (198.18.0.2) on 198.18.0.0/24, a benchmarking range that is routed
 * nowhere, inside namespaces with no route out. Both ends are called {@code eth0}. IPv6 is off and
 * neighbours are static, so the wire carries exactly the frames a test sends.
 */
public final class VethLab implements AutoCloseable {
    public static final String INTERFACE = "eth0";
    public static final String A_ADDRESS = "198.18.0.1";
    public static final String B_ADDRESS = "198.18.0.2";

    private final NetworkNamespace a;
    private final NetworkNamespace b;

    private VethLab(NetworkNamespace a, NetworkNamespace b) {
        this.a = a;
        this.b = b;
    }

    public static VethLab create() {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        NetworkNamespace a = NetworkNamespace.create("sluice-t" + id + "-a");
        NetworkNamespace b = null;
        try {
            b = NetworkNamespace.create("sluice-t" + id + "-b");
            VethLab lab = new VethLab(a, b);
            a.exec("ip", "link", "add", INTERFACE, "type", "veth", "peer", "name", INTERFACE, "netns", b.name());
            lab.configure(a, A_ADDRESS);
            lab.configure(b, B_ADDRESS);
            a.exec("ip", "neigh", "replace", B_ADDRESS, "lladdr", mac(b), "dev", INTERFACE, "nud", "permanent");
            b.exec("ip", "neigh", "replace", A_ADDRESS, "lladdr", mac(a), "dev", INTERFACE, "nud", "permanent");
            return lab;
        } catch (RuntimeException failure) {
            a.close();
            if (b != null) {
                b.close();
            }
            throw failure;
        }
    }

    private void configure(NetworkNamespace host, String address) {
        host.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        host.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        host.exec("ip", "addr", "add", address + "/24", "dev", INTERFACE);
        host.exec("ip", "link", "set", INTERFACE, "up");
    }

    public static String mac(NetworkNamespace host) {
        return host.exec("cat", "/sys/class/net/" + INTERFACE + "/address").strip();
    }

    public NetworkNamespace a() {
        return a;
    }

    public NetworkNamespace b() {
        return b;
    }

    /**
     * Sends {@code count} UDP datagrams of {@code payload} bytes from A to B and returns how many
     * B's socket received within the timeout.
     */
    public int sendUdpFromAToB(int count, int payload, int port) {
        DatagramSocket receiver = b.call(() -> {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(B_ADDRESS, port));
            socket.setSoTimeout(2000);
            return socket;
        });
        try (receiver) {
            a.run(() -> {
                try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(A_ADDRESS, 0))) {
                    byte[] data = new byte[payload];
                    InetAddress target = InetAddress.getByName(B_ADDRESS);
                    for (int i = 0; i < count; i++) {
                        sender.send(new DatagramPacket(data, data.length, target, port));
                    }
                }
            });
            int received = 0;
            byte[] buffer = new byte[65536];
            try {
                while (received < count) {
                    receiver.receive(new DatagramPacket(buffer, buffer.length));
                    received++;
                }
            } catch (SocketTimeoutException timedOut) {
                return received;
            }
            return received;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
