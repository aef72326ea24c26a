package dev.sluice.control.maglev;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * A second, deliberately naive Maglev written from the definitions only (the NSDI 2016 paper's
 * Pseudocode 1, the XXH64 specification), sharing no code with production: BigInteger for the
 * unsigned modulo, ByteBuffer for little-endian lanes, the paper's next[] counters and modular
 * products. Slow, and meant to be obviously right rather than fast.
 */
final class ReferenceMaglev {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private ReferenceMaglev() {}

    /** Slot to backend id. */
    static String[] table(Collection<String> ids, int m, long seed) {
        TreeSet<String> sorted = new TreeSet<>((a, b) ->
                Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        sorted.addAll(ids);
        List<String> backends = new ArrayList<>(sorted);
        int n = backends.size();
        long[] offset = new long[n];
        long[] skip = new long[n];
        for (int i = 0; i < n; i++) {
            byte[] utf8 = backends.get(i).getBytes(StandardCharsets.UTF_8);
            offset[i] = unsigned(xxh64(utf8, seed)).mod(BigInteger.valueOf(m)).longValueExact();
            skip[i] = unsigned(xxh64(utf8, seed ^ 0x9E3779B97F4A7C15L)).mod(BigInteger.valueOf(m - 1)).longValueExact() + 1;
        }
        long[] next = new long[n];
        String[] entry = new String[m];
        int filled = 0;
        while (filled < m) {
            for (int i = 0; i < n && filled < m; i++) {
                long c = (offset[i] + next[i] * skip[i]) % m;
                while (entry[(int) c] != null) {
                    next[i]++;
                    c = (offset[i] + next[i] * skip[i]) % m;
                }
                entry[(int) c] = backends.get(i);
                next[i]++;
                filled++;
            }
        }
        return entry;
    }

    static long xxh64(byte[] data, long seed) {
        final long p1 = 0x9E3779B185EBCA87L;
        final long p2 = 0xC2B2AE3D27D4EB4FL;
        final long p3 = 0x165667B19E3779F9L;
        final long p4 = 0x85EBCA77C2B2AE63L;
        final long p5 = 0x27D4EB2F165667C5L;
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long acc;
        if (data.length >= 32) {
            long[] v = {seed + p1 + p2, seed + p2, seed, seed - p1};
            while (in.remaining() >= 32) {
                for (int lane = 0; lane < 4; lane++) {
                    v[lane] = Long.rotateLeft(v[lane] + in.getLong() * p2, 31) * p1;
                }
            }
            acc = Long.rotateLeft(v[0], 1) + Long.rotateLeft(v[1], 7) + Long.rotateLeft(v[2], 12) + Long.rotateLeft(v[3], 18);
            for (long lane : v) {
                acc ^= Long.rotateLeft(lane * p2, 31) * p1;
                acc = acc * p1 + p4;
            }
        } else {
            acc = seed + p5;
        }
        acc += data.length;
        while (in.remaining() >= 8) {
            acc ^= Long.rotateLeft(in.getLong() * p2, 31) * p1;
            acc = Long.rotateLeft(acc, 27) * p1 + p4;
        }
        if (in.remaining() >= 4) {
            acc ^= (in.getInt() & 0xFFFFFFFFL) * p1;
            acc = Long.rotateLeft(acc, 23) * p2 + p3;
        }
        while (in.hasRemaining()) {
            acc ^= (in.get() & 0xFFL) * p5;
            acc = Long.rotateLeft(acc, 11) * p1;
        }
        acc ^= acc >>> 33;
        acc *= p2;
        acc ^= acc >>> 29;
        acc *= p3;
        acc ^= acc >>> 32;
        return acc;
    }

    private static BigInteger unsigned(long value) {
        BigInteger signed = BigInteger.valueOf(value);
        return value < 0 ? signed.add(TWO_64) : signed;
    }
}
