package dev.sluice.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ffm.testing.Checksums;
import dev.sluice.ffm.testing.Fixtures;
import dev.sluice.ffm.testing.Ipv4UdpFrame;
import dev.sluice.ffm.testing.KernelTest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@KernelTest
class TestRunTest {
    private static final int XDP_DROP = 1;
    private static final int XDP_PASS = 2;
    private static final int XDP_TX = 3;
    private static final byte[] CLIENT_MAC = HexFormat.of().parseHex("020000000001");
    private static final byte[] NODE_MAC = HexFormat.of().parseHex("020000000002");
    private static final byte[] CLIENT_IP = {(byte) 198, 18, 0, 1};
    private static final byte[] NODE_IP = {(byte) 198, 18, 0, 2};

    private BpfObject object;
    private BpfProgram reflect;

    @BeforeEach
    void load() {
        object = Fixtures.loaderFixture();
        reflect = object.program("xdp_reflect_ipv4");
    }

    @AfterEach
    void close() {
        object.close();
    }

    @Test
    void reflectedFrameMatchesAnIndependentlyBuiltExpectationByteForByte() {
        byte[] payload = "sluice".getBytes();
        byte[] in = new Ipv4UdpFrame(NODE_MAC, CLIENT_MAC, CLIENT_IP, NODE_IP, 64, 0x1234, 40000, 53, payload).bytes();
        // What must come back: addresses swapped, TTL 63, both checksums computed from scratch.
        byte[] expected = new Ipv4UdpFrame(CLIENT_MAC, NODE_MAC, NODE_IP, CLIENT_IP, 63, 0x1234, 40000, 53, payload).bytes();

        TestRunResult result = reflect.testRun(TestRun.packet(in));

        assertThat(result.returnValue()).isEqualTo(XDP_TX);
        assertThat(HexFormat.of().formatHex(result.dataOut())).isEqualTo(HexFormat.of().formatHex(expected));
        assertThat(Checksums.internet(result.dataOut(), Ipv4UdpFrame.ETHERNET_HEADER, Ipv4UdpFrame.IPV4_HEADER))
                .as("IPv4 header checksum verifies").isZero();
    }

    @Test
    void incrementalChecksumIsRightAcrossTheCarryBoundary() {
        // A TTL/identification combination whose checksum needs an end-around carry when updated.
        for (int ttl = 2; ttl <= 255; ttl += 17) {
            for (int id : new int[] {0, 0xffff, 0x8000, 0x00ff}) {
                byte[] in = new Ipv4UdpFrame(NODE_MAC, CLIENT_MAC, CLIENT_IP, NODE_IP, ttl, id, 1, 2, new byte[3]).bytes();
                byte[] expected = new Ipv4UdpFrame(CLIENT_MAC, NODE_MAC, NODE_IP, CLIENT_IP, ttl - 1, id, 1, 2, new byte[3]).bytes();
                assertThat(reflect.testRun(TestRun.packet(in)).dataOut())
                        .as("ttl %d id %04x", ttl, id).isEqualTo(expected);
            }
        }
    }

    @Test
    void expiringAndNonIpv4FramesAreNotRewritten() {
        byte[] dying = new Ipv4UdpFrame(NODE_MAC, CLIENT_MAC, CLIENT_IP, NODE_IP, 1, 7, 1, 2, new byte[0]).bytes();
        TestRunResult dropped = reflect.testRun(TestRun.packet(dying));
        assertThat(dropped.returnValue()).isEqualTo(XDP_DROP);

        byte[] arp = HexFormat.of().parseHex("ffffffffffff0200000000010806" + "0001080006040001" + "00".repeat(20));
        TestRunResult passed = reflect.testRun(TestRun.packet(arp));
        assertThat(passed.returnValue()).isEqualTo(XDP_PASS);
        assertThat(passed.dataOut()).isEqualTo(arp);

        byte[] truncated = new byte[20];
        truncated[12] = 0x08;
        TestRunResult runt = reflect.testRun(TestRun.packet(truncated));
        assertThat(runt.returnValue()).isEqualTo(XDP_PASS);
        assertThat(runt.dataOut()).isEqualTo(truncated);
    }

    @Test
    void repeatedRunsReportTheKernelsMeanDuration() {
        // XDP test runs reuse one buffer across repetitions, so repeat a frame the program leaves alone.
        byte[] arp = HexFormat.of().parseHex("ffffffffffff0200000000010806" + "0001080006040001" + "00".repeat(20));
        TestRunResult result = reflect.testRun(TestRun.packet(arp).repeat(10_000));
        assertThat(result.repeat()).isEqualTo(10_000);
        assertThat(result.averageNanos()).isPositive();
        assertThat(result.returnValue()).isEqualTo(XDP_PASS);
        assertThat(result.dataOut()).isEqualTo(arp);
    }

    @Test
    void tooSmallAnOutputBufferIsAnErrorNotATruncation() {
        byte[] in = new Ipv4UdpFrame(NODE_MAC, CLIENT_MAC, CLIENT_IP, NODE_IP, 64, 1, 1, 2, new byte[64]).bytes();
        assertThatThrownBy(() -> reflect.testRun(TestRun.packet(in).dataOutCapacity(10)))
                .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOSPC"));
    }
}
