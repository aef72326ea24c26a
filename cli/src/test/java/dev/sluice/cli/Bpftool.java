package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ffm.sys.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code bpftool -j map dump}, the independent reading the CLI is checked against. With BTF
 * bpftool prints a "formatted" key and value: unions with every member (addresses are taken from
 * their "bytes"), and {@code __be16} ports as the integer their bytes make in host order.
 */
final class Bpftool {
    static final ObjectMapper JSON = new ObjectMapper();

    private Bpftool() {
    }

    static JsonNode dumpPinned(Path pin) {
        return run("bpftool", "-j", "map", "dump", "pinned", pin.toString());
    }

    static JsonNode dumpId(long id) {
        return run("bpftool", "-j", "map", "dump", "id", Long.toString(id));
    }

    private static JsonNode run(String... command) {
        Command.Result result = Command.execute(command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + result.stderr());
        }
        try {
            return JSON.readTree(result.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A formatted {@code union address} of the given family. */
    static InetAddress address(JsonNode union, int family) {
        JsonNode bytes = union.get("bytes");
        byte[] raw = new byte[family == 4 ? 4 : 16];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) bytes.get(i).asInt();
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A formatted {@code __be16}: bpftool printed the bytes read in host order; swap back. */
    static int be16(JsonNode value) {
        int hostOrder = value.asInt();
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? ((hostOrder & 0xff) << 8) | (hostOrder >>> 8) : hostOrder;
    }

    /** A raw little- or big-endian u32 from bpftool's hex byte strings ("0x2a"), host order. */
    static long rawU32(JsonNode hexBytes) {
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(hexBytes.get(i).asText().substring(2), 16);
        }
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            byte[] reversed = new byte[4];
            for (int i = 0; i < 4; i++) {
                reversed[i] = bytes[3 - i];
            }
            bytes = reversed;
        }
        return Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(bytes).getInt());
    }

    static String text(InetAddress address) {
        return address.getHostAddress() + "%" + Arrays.toString(address.getAddress());
    }
}
