package dev.sluice.ffm.testing;

import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.sys.VethPair;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The test lab: a {@link VethPair} with host A (198.18.0.1) and host B (198.18.0.2) on
 * 198.18.0.0/24, a benchmarking range routed nowhere, in uniquely named namespaces.
 */
public final class VethLab implements AutoCloseable {
    public static final String INTERFACE = VethPair.INTERFACE;
    public static final String A_ADDRESS = "198.18.0.1";
    public static final String B_ADDRESS = "198.18.0.2";

    private final VethPair pair;

    private VethLab(VethPair pair) {
        this.pair = pair;
    }

    public static VethLab create() {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        return new VethLab(VethPair.create("sluice-t" + id, A_ADDRESS, B_ADDRESS, 24));
    }

    public NetworkNamespace a() {
        return pair.a();
    }

    public NetworkNamespace b() {
        return pair.b();
    }

    public int sendUdpFromAToB(int count, int payload, int port) {
        return pair.sendUdpFromAToB(count, payload, port);
    }

    @Override
    public void close() {
        pair.close();
    }
}
