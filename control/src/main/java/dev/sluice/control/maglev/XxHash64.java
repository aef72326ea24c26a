package dev.sluice.control.maglev;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * XXH64 (xxHash, 64-bit variant, as specified in xxHash's doc/xxhash_spec.md), seeded.
 *
 * <p>Maglev tables must be identical on every node and across restarts and JVM versions, so the
 * hash is a fixed, published function over explicit bytes; any other implementation (C, Go, the
 * {@code xxhsum} tool) gives the same values, which is what makes a table reproducible outside
 * Java. It is not a keyed PRF: the seed varies tables, it does not make them unpredictable.
 */
public final class XxHash64 {
    private static final long PRIME_1 = 0x9E3779B185EBCA87L;
    private static final long PRIME_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME_3 = 0x165667B19E3779F9L;
    private static final long PRIME_4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME_5 = 0x27D4EB2F165667C5L;

    // The specification reads input little-endian whatever the host's byte order.
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private XxHash64() {}

    public static long hash(byte[] input, long seed) {
        int length = input.length;
        int offset = 0;
        long hash;
        if (length >= 32) {
            long v1 = seed + PRIME_1 + PRIME_2;
            long v2 = seed + PRIME_2;
            long v3 = seed;
            long v4 = seed - PRIME_1;
            int stripesEnd = length - 32;
            do {
                v1 = round(v1, (long) LONG_LE.get(input, offset));
                v2 = round(v2, (long) LONG_LE.get(input, offset + 8));
                v3 = round(v3, (long) LONG_LE.get(input, offset + 16));
                v4 = round(v4, (long) LONG_LE.get(input, offset + 24));
                offset += 32;
            } while (offset <= stripesEnd);
            hash = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            hash = mergeRound(hash, v1);
            hash = mergeRound(hash, v2);
            hash = mergeRound(hash, v3);
            hash = mergeRound(hash, v4);
        } else {
            hash = seed + PRIME_5;
        }
        hash += length;

        while (offset + 8 <= length) {
            hash ^= round(0, (long) LONG_LE.get(input, offset));
            hash = Long.rotateLeft(hash, 27) * PRIME_1 + PRIME_4;
            offset += 8;
        }
        if (offset + 4 <= length) {
            hash ^= Integer.toUnsignedLong((int) INT_LE.get(input, offset)) * PRIME_1;
            hash = Long.rotateLeft(hash, 23) * PRIME_2 + PRIME_3;
            offset += 4;
        }
        while (offset < length) {
            hash ^= (input[offset] & 0xFFL) * PRIME_5;
            hash = Long.rotateLeft(hash, 11) * PRIME_1;
            offset++;
        }
        return avalanche(hash);
    }

    private static long round(long accumulator, long lane) {
        accumulator += lane * PRIME_2;
        return Long.rotateLeft(accumulator, 31) * PRIME_1;
    }

    private static long mergeRound(long hash, long accumulator) {
        hash ^= round(0, accumulator);
        return hash * PRIME_1 + PRIME_4;
    }

    private static long avalanche(long hash) {
        hash ^= hash >>> 33;
        hash *= PRIME_2;
        hash ^= hash >>> 29;
        hash *= PRIME_3;
        hash ^= hash >>> 32;
        return hash;
    }
}
