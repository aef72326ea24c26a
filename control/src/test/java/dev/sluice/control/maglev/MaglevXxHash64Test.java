package dev.sluice.control.maglev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * XXH64 against values from the reference implementation (libxxhash 0.8.1 and its xxhsum tool),
 * covering every code path: the 32-byte stripes, 8-byte lanes, the 4-byte word, single bytes, and
 * seeds with the top bit set (where a signed modulo or shift would go wrong).
 */
class MaglevXxHash64Test {
    /** {length, seed, XXH64(first length bytes of PATTERN, seed)}. */
    private static final long[][] VECTORS = {
            {0, 0x0000000000000000L, 0xef46db3751d8e999L},
            {1, 0x0000000000000000L, 0xa96c7f0ce858bbb7L},
            {3, 0x0000000000000000L, 0x56e6957632a487f9L},
            {4, 0x0000000000000000L, 0xc60d15b1e3ff8f04L},
            {7, 0x0000000000000000L, 0xafbefc3d6c6f9a8eL},
            {8, 0x0000000000000000L, 0x3da5c7aa269683e0L},
            {12, 0x0000000000000000L, 0x8fe8ab1c1fd0666eL},
            {15, 0x0000000000000000L, 0xae2a37eb9357caa7L},
            {31, 0x0000000000000000L, 0x4a74f3a1a39ad4a1L},
            {32, 0x0000000000000000L, 0x8d57d6a4671cc43dL},
            {33, 0x0000000000000000L, 0x62c9fd21ed857664L},
            {63, 0x0000000000000000L, 0x5c320a0d2707057fL},
            {64, 0x0000000000000000L, 0x7bbabbc45729d17eL},
            {100, 0x0000000000000000L, 0xefa0ad2d3e70c151L},
            {200, 0x0000000000000000L, 0x95d9a0c977b4b6fbL},
            {0, 0x0000000000000001L, 0xd5afba1336a3be4bL},
            {1, 0x0000000000000001L, 0x0766883a0a47a96aL},
            {3, 0x0000000000000001L, 0x598afe4fbb09d9f6L},
            {4, 0x0000000000000001L, 0x5e9f99aa13de2d02L},
            {7, 0x0000000000000001L, 0xbd99f1fa0de7b9a4L},
            {8, 0x0000000000000001L, 0x1b4e043a4021aa18L},
            {12, 0x0000000000000001L, 0xaaf19ec96e7722cdL},
            {15, 0x0000000000000001L, 0xc88bd84841af8ac9L},
            {31, 0x0000000000000001L, 0xd7ac4f4bea4e460aL},
            {32, 0x0000000000000001L, 0x8f666909cfd00cc8L},
            {33, 0x0000000000000001L, 0xb1575979b72c805aL},
            {63, 0x0000000000000001L, 0x61b9cb220da77a86L},
            {64, 0x0000000000000001L, 0xee10eee981202ce9L},
            {100, 0x0000000000000001L, 0xcd8103aecd2ed5cfL},
            {200, 0x0000000000000001L, 0x6b8ebe05982b5ea0L},
            {0, 0x9e3779b97f4a7c15L, 0xc4349fc93c010000L},
            {1, 0x9e3779b97f4a7c15L, 0x585882422a6165e7L},
            {3, 0x9e3779b97f4a7c15L, 0x5acb303e78133c22L},
            {4, 0x9e3779b97f4a7c15L, 0x7d51d5e2461732b3L},
            {7, 0x9e3779b97f4a7c15L, 0x2ce9adec2b2c8104L},
            {8, 0x9e3779b97f4a7c15L, 0x758848f033fa76a2L},
            {12, 0x9e3779b97f4a7c15L, 0xeaa6d4d803d21fd7L},
            {15, 0x9e3779b97f4a7c15L, 0xa18d5c90d722cee3L},
            {31, 0x9e3779b97f4a7c15L, 0x8137041f5af88413L},
            {32, 0x9e3779b97f4a7c15L, 0x184ebcf3745cd46cL},
            {33, 0x9e3779b97f4a7c15L, 0x52fac3c981f3cc2eL},
            {63, 0x9e3779b97f4a7c15L, 0x64ef99a2e94cc7bdL},
            {64, 0x9e3779b97f4a7c15L, 0xf7f22435fe1ab128L},
            {100, 0x9e3779b97f4a7c15L, 0xbc7ab33be7528c18L},
            {200, 0x9e3779b97f4a7c15L, 0x1ea63f1abd71fb0bL},
            {0, 0xffffffffffffffffL, 0x298f4c84b24f5380L},
            {1, 0xffffffffffffffffL, 0xd7f46261ba7c5b95L},
            {3, 0xffffffffffffffffL, 0xc3f45502afca0370L},
            {4, 0xffffffffffffffffL, 0xf52503fe9d55f874L},
            {7, 0xffffffffffffffffL, 0x80c7fbfebd75b559L},
            {8, 0xffffffffffffffffL, 0x33aee9656e99f801L},
            {12, 0xffffffffffffffffL, 0xf50cad23de843454L},
            {15, 0xffffffffffffffffL, 0x9bb8c61fe82d1156L},
            {31, 0xffffffffffffffffL, 0xabac8592adc08188L},
            {32, 0xffffffffffffffffL, 0xa428e1465b2e4331L},
            {33, 0xffffffffffffffffL, 0x51441ed0f594f61cL},
            {63, 0xffffffffffffffffL, 0xf6470ccc2b8c65caL},
            {64, 0xffffffffffffffffL, 0x04573ca9335266c2L},
            {100, 0xffffffffffffffffL, 0xbd4fcaabf7cad1a6L},
            {200, 0xffffffffffffffffL, 0xbf66b802f4bf6031L},
    };

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    @Test
    void matchesTheReferenceImplementationOnEveryPath() {
        for (long[] vector : VECTORS) {
            byte[] input = pattern((int) vector[0]);
            assertThat(XxHash64.hash(input, vector[1]))
                    .as("XXH64 of %d bytes, seed %016x", vector[0], vector[1])
                    .isEqualTo(vector[2]);
        }
    }

    @Test
    void matchesXxhsumOnText() {
        // printf 'abc' | xxhsum -H1   and   printf '10.0.1.5:8080/TCP' | xxhsum -H1
        assertThat(XxHash64.hash("abc".getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(0x44bc2cf5ad770999L);
        assertThat(XxHash64.hash("10.0.1.5:8080/TCP".getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(0xcc1231a560054ec5L);
    }

    @Test
    void theTestsReferenceHashAgreesSoItCanVouchForTheGoldenTable() {
        for (long[] vector : VECTORS) {
            assertThat(ReferenceMaglev.xxh64(pattern((int) vector[0]), vector[1])).isEqualTo(vector[2]);
        }
    }
}
