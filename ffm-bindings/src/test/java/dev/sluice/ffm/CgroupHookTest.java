package dev.sluice.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.Command;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.Fixtures;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.TestCgroup;
import java.io.InputStream;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * A connect4 hook in a cgroup the test creates rewrites where a process connects: a member of the
 * cgroup that dials an unused port reaches the server on another port. Everything happens on the
 * loopback of a lab namespace.
 */
@KernelTest
class CgroupHookTest {
    private static final ValueLayout.OfShort NETWORK_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    record SocketAddress4(InetAddress address, int port) {
        static final MapCodec<SocketAddress4> CODEC = MapCodec.of(
                MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("address"),
                        ValueLayout.JAVA_SHORT.withName("port"), ValueLayout.JAVA_SHORT.withName("pad")),
                (a, s) -> {
                    s.asSlice(0, 4).copyFrom(java.lang.foreign.MemorySegment.ofArray(a.address().getAddress()));
                    s.set(NETWORK_SHORT, 4, (short) a.port());
                },
                s -> {
                    try {
                        return new SocketAddress4(InetAddress.getByAddress(s.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE)),
                                Short.toUnsignedInt(s.get(NETWORK_SHORT, 4)));
                    } catch (java.net.UnknownHostException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    @Test
    void connectFromAMemberProcessIsRedirectedAndOthersAreNot() throws Exception {
        String namespaceName = "sluice-t" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2) + "-c";
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        int dialled = 17001;
        try (NetworkNamespace lab = NetworkNamespace.create(namespaceName);
             TestCgroup cgroup = TestCgroup.create();
             BpfObject object = Fixtures.loaderFixture();
             ServerSocket server = lab.call(() -> new ServerSocket(0, 10, loopback))) {
            BpfMap<SocketAddress4, SocketAddress4> rewrites =
                    object.map("fixture_connect_rewrites", SocketAddress4.CODEC, SocketAddress4.CODEC);
            BpfMap<Integer, Long> rewriteCount = object.map("fixture_connect_rewrite_count", MapCodec.u32(), MapCodec.u64());
            rewrites.put(new SocketAddress4(loopback, dialled), new SocketAddress4(loopback, server.getLocalPort()));
            assertThat(rewrites.lookup(new SocketAddress4(loopback, dialled)))
                    .contains(new SocketAddress4(loopback, server.getLocalPort()));

            try (BpfLink link = object.program("connect4_rewrite").attachCgroup(cgroup.path(), CgroupSockAddrHook.CONNECT4)) {
                server.setSoTimeout(10_000);
                Thread client = Thread.ofPlatform().start(() -> Command.run("bash", "-c",
                        "echo $$ > " + cgroup.procs() + " && exec ip netns exec " + namespaceName
                                + " bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + dialled + "; printf member >&3'"));
                try (Socket accepted = server.accept(); InputStream in = accepted.getInputStream()) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("member");
                }
                client.join(10_000);
                assertThat(rewriteCount.lookup(0)).contains(1L);

                // Not a member: the same dial reaches the unused port and is refused.
                Command.Result outsider = Command.execute("ip", "netns", "exec", namespaceName, "bash", "-c",
                        "exec 3<>/dev/tcp/127.0.0.1/" + dialled);
                assertThat(outsider.exitCode()).isNotZero();
                assertThat(outsider.stderr()).contains("Connection refused");
                assertThat(rewriteCount.lookup(0)).contains(1L);
            }
        }
    }
}
