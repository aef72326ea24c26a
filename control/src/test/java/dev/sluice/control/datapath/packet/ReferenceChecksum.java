package dev.sluice.control.datapath.packet;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;

/**
 * A second checksum method, used only to cross-check {@link InternetChecksum} in tests. Instead of
 * folding carries it relies on ones'-complement addition being addition modulo 65535 (RFC 1071
 * section 2(B) "end-around carry"), and it builds the pseudo-header as literal bytes.
 */
final class ReferenceChecksum {

    private ReferenceChecksum() {}

    static int onesComplementSum(byte[] data) {
        long total = 0;
        for (int i = 0; i < data.length; i++) {
            total += (i % 2 == 0 ? 256L : 1L) * (data[i] & 0xff);
        }
        long mod = total % 0xffff;
        // Modulo 65535 both 0x0000 and 0xffff are zero; a non-empty nonzero sum is the "negative zero".
        return mod == 0 && total != 0 ? 0xffff : (int) mod;
    }

    static int checksum(byte[] data) {
        return ~onesComplementSum(data) & 0xffff;
    }

    static byte[] pseudoHeader(InetAddress src, InetAddress dst, int protocol, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(src.getAddress());
        out.writeBytes(dst.getAddress());
        if (src.getAddress().length == 4) {
            out.write(0);
            out.write(protocol);
            out.write(length >>> 8);
            out.write(length);
        } else {
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
            out.writeBytes(new byte[] {0, 0, 0, (byte) protocol});
        }
        return out.toByteArray();
    }

    /** The checksum over pseudo-header and segment, with the segment's checksum field as given. */
    static int transportChecksum(InetAddress src, InetAddress dst, int protocol, byte[] segment) {
        byte[] pseudo = pseudoHeader(src, dst, protocol, segment.length);
        return checksum(Wire.concat(pseudo, segment));
    }
}
