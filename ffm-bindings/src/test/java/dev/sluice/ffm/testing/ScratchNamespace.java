package dev.sluice.ffm.testing;

import dev.sluice.ffm.sys.NetworkNamespace;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** A fresh, uniquely named network namespace for one test; close it to delete it. */
public final class ScratchNamespace {
    private ScratchNamespace() {
    }

    public static NetworkNamespace create(String prefix) {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        return NetworkNamespace.create(prefix + "-" + id);
    }
}
