package dev.sluice.ffm.sys;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two lab hosts joined by one veth pair, each in a network namespace this object creates and
 * deletes. Both ends are called {@code eth0}; IPv6 is off and neighbours are static, so the wire
 * carries exactly the frames that are sent on purpose. The namespaces have no route anywhere else.
 */
public final class VethPair implements AutoCloseable {
    public static final String INTERFACE = "eth0";
    private static final int BURST = 64;
    private static final int RECEIVE_BUFFER = 4 << 20;

    private final NetworkNamespace a;
    private final NetworkNamespace b;
    private final String aAddress;
    private final String bAddress;

    private VethPair(NetworkNamespace a, NetworkNamespace b, String aAddress, String bAddress) {
        this.a = a;
        this.b = b;
        this.aAddress = aAddress;
        this.bAddress = bAddress;
    }

    /** Creates namespaces {@code <name>-a} and {@code <name>-b} with the given /prefix addresses. */
    public static VethPair create(String name, String aAddress, String bAddress, int prefixLength) {
        NetworkNamespace a = NetworkNamespace.create(name + "-a");
        NetworkNamespace b = null;
        try {
            b = NetworkNamespace.create(name + "-b");
            a.exec("ip", "link", "add", INTERFACE, "type", "veth", "peer", "name", INTERFACE, "netns", b.name());
            configure(a, aAddress, prefixLength);
            configure(b, bAddress, prefixLength);
            a.exec("ip", "neigh", "replace", bAddress, "lladdr", mac(b), "dev", INTERFACE, "nud", "permanent");
            b.exec("ip", "neigh", "replace", aAddress, "lladdr", mac(a), "dev", INTERFACE, "nud", "permanent");
            return new VethPair(a, b, aAddress, bAddress);
        } catch (RuntimeException failure) {
            a.close();
            if (b != null) {
                b.close();
            }
            throw failure;
        }
    }

    private static void configure(NetworkNamespace host, String address, int prefixLength) {
        host.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        host.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        host.exec("ip", "addr", "add", address + "/" + prefixLength, "dev", INTERFACE);
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

    public String aAddress() {
        return aAddress;
    }

    public String bAddress() {
        return bAddress;
    }

    /**
     * Sends {@code count} UDP datagrams of {@code payload} bytes from A to B's {@code port} and
     * returns how many B's socket received, waiting up to two seconds after the last one. B reads
     * while A sends, and A pauses briefly every {@value #BURST} datagrams, so a full socket buffer
     * does not drop what the lab meant to deliver.
     */
    public int sendUdpFromAToB(int count, int payload, int port) {
        DatagramSocket receiver = b.call(() -> {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(bAddress, port));
            socket.setReceiveBufferSize(RECEIVE_BUFFER);
            socket.setSoTimeout(2000);
            return socket;
        });
        try (receiver) {
            AtomicInteger received = new AtomicInteger();
            Thread reader = Thread.ofPlatform().name("lab-udp-receiver").start(() -> {
                byte[] buffer = new byte[65536];
                try {
                    while (received.get() < count) {
                        receiver.receive(new DatagramPacket(buffer, buffer.length));
                        received.incrementAndGet();
                    }
                } catch (IOException timedOutOrClosed) {
                    // Whatever arrived has been counted.
                }
            });
            a.run(() -> {
                try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(aAddress, 0))) {
                    byte[] data = new byte[payload];
                    InetAddress target = InetAddress.getByName(bAddress);
                    for (int i = 0; i < count; i++) {
                        sender.send(new DatagramPacket(data, data.length, target, port));
                        if (i % BURST == BURST - 1) {
                            Thread.sleep(1);
                        }
                    }
                }
            });
            reader.join();
            return received.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending lab traffic", e);
        }
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
