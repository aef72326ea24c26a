package dev.sluice.ffm.netlink;

import static dev.sluice.ffm.netlink.Bytes.datagram;
import static dev.sluice.ffm.netlink.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RtnetlinkMessagesTest {
    private static final int NEW_FLAGS = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;

    @Test
    void aDummyLinkIsNamedAndItsKindNestedInLinkInfo() {
        assertThat(hex(RtnetlinkMessages.newLink("kube-ipvs0", "dummy").build(1, NEW_FLAGS))).isEqualTo(hex(hex("""
                40000000 | 1000 | 0506 | 01000000 | 00000000
                00 00 0000 | 00000000 | 00000000 | 00000000
                0f00 0300 6b7562652d6970767330 00 00
                1000 1280 | 0a00 0100 64756d6d79 00 0000
                """)));
    }

    @Test
    void settingALinkUpChangesOnlyTheUpFlag() {
        assertThat(hex(RtnetlinkMessages.setUp(7).build(3, NEW_FLAGS))).isEqualTo(hex(hex("""
                20000000 | 1000 | 0500 | 03000000 | 00000000
                00 00 0000 | 07000000 | 01000000 | 01000000
                """)));
    }

    @Test
    void anIpv4HostAddressIsLocalAndAddressWithPrefix32() throws Exception {
        LinkAddress address = LinkAddress.host(InetAddress.getByName("10.96.0.1"));

        assertThat(hex(RtnetlinkMessages.newAddress(7, address).build(1, NEW_FLAGS))).isEqualTo(hex(hex("""
                30000000 | 1400 | 0506 | 01000000 | 00000000
                02 | 20 | 00 | 00 | 07000000
                0800 0200 0a600001
                0800 0100 0a600001
                0800 0800 00000000
                """)));
    }

    @Test
    void anIpv6HostAddressHasPrefix128AndSkipsDuplicateAddressDetection() throws Exception {
        LinkAddress address = LinkAddress.host(InetAddress.getByName("fd00::1"));

        assertThat(hex(RtnetlinkMessages.newAddress(7, address).build(2, NEW_FLAGS))).isEqualTo(hex(hex("""
                48000000 | 1400 | 0506 | 02000000 | 00000000
                0a | 80 | 00 | 00 | 07000000
                1400 0200 fd000000000000000000000000000001
                1400 0100 fd000000000000000000000000000001
                0800 0800 02000000
                """)));
    }

    @Test
    void aCapturedLinkReplyGivesIndexNameKindAndState() {
        NetlinkMessage reply = NetlinkMessage.parseAll(datagram("""
                48000000 | 1000 | 0000 | 05000000 | 9a020000
                00 00 0100 | 05000000 | 41000000 | 00000000
                0f00 0300 6b7562652d6970767330 00 00
                0800 0400 dc050000
                1000 1200 | 0a00 0100 64756d6d79 00 0000
                """), "test").getFirst();

        assertThat(RtnetlinkMessages.decodeLink(reply)).isEqualTo(new Link(5, "kube-ipvs0", "dummy", true));
    }

    @Test
    void aCapturedAddressDumpGivesLinkAddressesOfBothFamilies() throws Exception {
        List<NetlinkMessage> dump = NetlinkMessage.parseAll(datagram("""
                40000000 | 1400 | 0200 | 09000000 | 9a020000
                02 | 20 | 80 | 00 | 05000000
                0800 0100 0a600001
                0800 0200 0a600001
                0f00 0300 6b7562652d6970767330 00 00
                0800 0800 80000000
                34000000 | 1400 | 0200 | 09000000 | 9a020000
                0a | 80 | 82 | 00 | 05000000
                1400 0100 fd000000000000000000000000000001
                0800 0800 82000000
                14000000 | 0300 | 0200 | 09000000 | 9a020000 | 00000000
                """), "test");

        assertThat(dump.subList(0, 2)).extracting(RtnetlinkMessages::decodeAddress).containsExactly(
                new RtnetlinkMessages.IndexedAddress(5, new LinkAddress(InetAddress.getByName("10.96.0.1"), 32)),
                new RtnetlinkMessages.IndexedAddress(5, new LinkAddress(InetAddress.getByName("fd00::1"), 128)));
        assertThat(dump.get(2).isDone()).isTrue();
    }

    @Test
    void linkNamesTheKernelWouldRefuseAreRefusedFirst() {
        assertThatThrownBy(() -> RtnetlinkMessages.newLink("a-name-too-long-for-linux", "dummy"))
                .hasMessage("link name 'a-name-too-long-for-linux' must be 1..15 bytes without '/' or blanks");
    }
}
