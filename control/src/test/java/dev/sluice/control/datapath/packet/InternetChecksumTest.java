package dev.sluice.control.datapath.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {

    @Test
    void rfc1071NumericalExample() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to 0xddf2 after end-around carry.
        byte[] data = Octets.hex("0001 f203 f4f5 f6f7").toArray();

        assertThat(InternetChecksum.fold(InternetChecksum.sum(0, data, 0, data.length))).isEqualTo(0xddf2);
        assertThat(InternetChecksum.checksum(data)).isEqualTo(0x220d);
        assertThat(ReferenceChecksum.onesComplementSum(data)).isEqualTo(0xddf2);
    }

    @Test
    void rfc1071ByteOrderIndependence() {
        // Section 2(B): summing byte-swapped words gives the byte-swapped sum (0xf2dd).
        byte[] swapped = Octets.hex("0100 03f2 f5f4 f7f6").toArray();

        assertThat(InternetChecksum.fold(InternetChecksum.sum(0, swapped, 0, swapped.length))).isEqualTo(0xf2dd);
    }

    @Test
    void oddLengthIsPaddedWithAZeroByteOnTheRight() {
        assertThat(InternetChecksum.checksum(new byte[] {0x01})).isEqualTo(~0x0100 & 0xffff);
        assertThat(InternetChecksum.checksum(Octets.hex("0001f2").toArray()))
                .isEqualTo(InternetChecksum.checksum(Octets.hex("0001f200").toArray()));
    }

    @Test
    void wellKnownIpv4HeaderChecksum() {
        // The textbook header 192.168.0.1 -> 192.168.0.199, UDP, total length 115: checksum 0xb861.
        byte[] header = Octets.hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7").toArray();

        assertThat(InternetChecksum.checksum(header)).isEqualTo(0xb861);
        assertThat(ReferenceChecksum.checksum(header)).isEqualTo(0xb861);
        Wire.put16(header, 10, 0xb861);
        assertThat(InternetChecksum.checksum(header)).as("a correct header sums to zero").isZero();
    }

    @Test
    void agreesWithTheModularMethodOnRandomInputs() {
        SplittableRandom random = new SplittableRandom(1071);
        for (int i = 0; i < 2000; i++) {
            byte[] data = new byte[random.nextInt(1, 1600)];
            random.nextBytes(data);
            assertThat(InternetChecksum.checksum(data)).as("length %d", data.length)
                    .isEqualTo(ReferenceChecksum.checksum(data));
        }
    }

    @Test
    void pseudoHeaderSumsMatchLiteralPseudoHeaders() {
        var v4src = Addresses.ipv4("10.244.1.5");
        var v4dst = Addresses.ipv4("10.96.0.10");
        var v6src = Addresses.ipv6("fd00::1");
        var v6dst = Addresses.ipv6("2001:db8::ffff:0:1");

        assertThat(InternetChecksum.fold(InternetChecksum.pseudoHeaderSum(v4src, v4dst, 17, 1234)))
                .isEqualTo(ReferenceChecksum.onesComplementSum(ReferenceChecksum.pseudoHeader(v4src, v4dst, 17, 1234)));
        assertThat(InternetChecksum.fold(InternetChecksum.pseudoHeaderSum(v6src, v6dst, 58, 70000)))
                .isEqualTo(ReferenceChecksum.onesComplementSum(ReferenceChecksum.pseudoHeader(v6src, v6dst, 58, 70000)));
    }
}
