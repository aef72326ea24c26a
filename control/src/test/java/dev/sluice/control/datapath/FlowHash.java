package dev.sluice.control.datapath;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An independent Java implementation of the datapath's flow hash (bpf/lib/hash.h): Bob Jenkins'
 * lookup3 hashword over six words. Tests use it to predict the Maglev slot, and so the backend, a
 * flow must reach.
 */
final class FlowHash {
    private FlowHash() {
    }

    static int slot(InetAddress client, int clientPort, int protocol, boolean withPort, int seed, int tableSize) {
        return Integer.remainderUnsigned(hash(client, clientPort, protocol, withPort, seed), tableSize);
    }

    static int hash(InetAddress client, int clientPort, int protocol, boolean withPort, int seed) {
        // The address words are loaded from memory as the BPF program does: little-endian u32s of
        // the bytes in network order.
        ByteBuffer address = ByteBuffer.wrap(Arrays.copyOf(client.getAddress(), 16)).order(ByteOrder.LITTLE_ENDIAN);
        int[] k = new int[6];
        for (int i = 0; i < 4; i++) {
            k[i] = address.getInt(i * 4);
        }
        k[4] = ((withPort ? clientPort : 0) << 16) | protocol;
        k[5] = client.getAddress().length == 4 ? 4 : 6;
        int a = 0xdeadbeef + (6 << 2) + seed;
        int b = a;
        int c = a;
        a += k[0];
        b += k[1];
        c += k[2];
        a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
        a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
        a += k[3];
        b += k[4];
        c += k[5];
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }
}
