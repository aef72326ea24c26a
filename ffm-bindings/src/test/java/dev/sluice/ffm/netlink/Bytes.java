package dev.sluice.ffm.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;

/** Hand-written message layouts: hex with spaces and '|' between fields, little-endian hosts. */
public final class Bytes {
    private Bytes() {
    }

    public static byte[] hex(String layout) {
        // The expected layouts spell host-order fields little-endian, as on x86-64 and arm64.
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "little-endian host");
        return HexFormat.of().parseHex(layout.replaceAll("[\\s|]", ""));
    }

    public static ByteBuffer datagram(String layout) {
        return ByteBuffer.wrap(hex(layout));
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
