package dev.sluice.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The deterministic bytes a payload server sends for a seed: a xorshift64* stream, so a client can
 * regenerate and check every byte it received without the server telling it a digest (a server
 * that reported a digest would vouch for bytes the datapath may have changed after it).
 */
final class PayloadStream {
    private static final int CHUNK = 64 * 1024;

    private long state;
    /** Bytes of the last word not handed out yet, low byte first, so any split of fills gives one stream. */
    private long word;
    private int wordBytes;

    PayloadStream(long seed) {
        // xorshift never leaves zero; any other seed is a full-period start.
        state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    /** Fills {@code length} bytes of {@code buffer} from {@code offset} with the stream's next bytes. */
    void fill(byte[] buffer, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (wordBytes == 0) {
                word = next();
                wordBytes = 8;
            }
            buffer[i] = (byte) word;
            word >>>= 8;
            wordBytes--;
        }
    }

    private long next() {
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        return state * 0x2545F4914F6CDD1DL;
    }

    /** Writes the first {@code length} bytes of the stream of {@code seed}. */
    static void write(OutputStream out, long seed, long length) throws IOException {
        PayloadStream stream = new PayloadStream(seed);
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(length, 1))];
        for (long left = length; left > 0; ) {
            int n = (int) Math.min(chunk.length, left);
            stream.fill(chunk, 0, n);
            out.write(chunk, 0, n);
            left -= n;
        }
        out.flush();
    }

    /** The first {@code length} bytes of the stream of {@code seed}. */
    static byte[] bytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new PayloadStream(seed).fill(bytes, 0, length);
        return bytes;
    }

    /** SHA-256 of the first {@code length} bytes of the stream of {@code seed}. */
    static byte[] sha256(long seed, long length) {
        MessageDigest digest = sha256();
        PayloadStream stream = new PayloadStream(seed);
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(length, 1))];
        for (long left = length; left > 0; ) {
            int n = (int) Math.min(chunk.length, left);
            stream.fill(chunk, 0, n);
            digest.update(chunk, 0, n);
            left -= n;
        }
        return digest.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
