package dev.sluice.ffm.ipvs;

import static dev.sluice.ffm.netlink.Bytes.datagram;
import static dev.sluice.ffm.netlink.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ffm.netlink.Netlink;
import dev.sluice.ffm.netlink.NetlinkMessage;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Requests compared with layouts written from linux/ip_vs.h; replies as the kernel sends them. */
class IpvsMessagesTest {
    private static final int FAMILY = 0x1d;
    private static final int FLAGS = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;

    private static final IpvsServiceKey WEB = key("10.96.0.1", IpvsProtocol.TCP, 80);
    private static final IpvsServiceKey DNS6 = key("fd00::10", IpvsProtocol.UDP, 53);

    @Test
    void anIpv4ServiceCarriesEverySettingWithAnAllBitsFlagMaskAndANetworkOrderNetmask() {
        byte[] built = IpvsMessages.service(FAMILY, IpvsUapi.CMD_NEW_SERVICE, IpvsService.of(WEB, "rr")).build(1, FLAGS);

        assertThat(hex(built)).isEqualTo(hex(hex("""
                68000000 | 1d00 | 0500 | 01000000 | 00000000
                01 | 01 | 0000
                5400 0180
                  0600 0100 0200 0000
                  0600 0200 0600 0000
                  1400 0300 0a600001 00000000 00000000 00000000
                  0600 0400 0050 0000
                  0700 0600 727200 00
                  0c00 0700 00000000 ffffffff
                  0800 0800 00000000
                  0800 0900 ffffffff
                """)));
    }

    @Test
    void anIpv6PersistentServiceSendsItsNetmaskAsAHostOrderPrefixLength() {
        IpvsService service = new IpvsService(DNS6, "mh", Set.of(IpvsServiceFlag.PERSISTENT, IpvsServiceFlag.SCHED1),
                300, 128);

        assertThat(hex(IpvsMessages.service(FAMILY, IpvsUapi.CMD_SET_SERVICE, service).build(2, FLAGS)))
                .isEqualTo(hex(hex("""
                68000000 | 1d00 | 0500 | 02000000 | 00000000
                02 | 01 | 0000
                5400 0180
                  0600 0100 0a00 0000
                  0600 0200 1100 0000
                  1400 0300 fd000000 00000000 00000000 00000010
                  0600 0400 0035 0000
                  0700 0600 6d6800 00
                  0c00 0700 09000000 ffffffff
                  0800 0800 2c010000
                  0800 0900 80000000
                """)));
    }

    @Test
    void aNewDestinationNamesItsServiceByKeyAndItsOwnAddressFamily() throws Exception {
        IpvsDestination destination = IpvsDestination.of(InetAddress.getByName("10.244.1.5"), 8080, 3);

        assertThat(hex(IpvsMessages.destination(FAMILY, IpvsUapi.CMD_NEW_DEST, WEB, destination).build(3, FLAGS)))
                .isEqualTo(hex(hex("""
                8c000000 | 1d00 | 0500 | 03000000 | 00000000
                05 | 01 | 0000
                3000 0180
                  0600 0100 0200 0000
                  0600 0200 0600 0000
                  1400 0300 0a600001 00000000 00000000 00000000
                  0600 0400 0050 0000
                4800 0280
                  0600 0b00 0200 0000
                  1400 0100 0af40105 00000000 00000000 00000000
                  0600 0200 1f90 0000
                  0800 0300 00000000
                  0800 0400 03000000
                  0800 0500 00000000
                  0800 0600 00000000
                """)));
    }

    @Test
    void deletingADestinationSendsOnlyWhatIdentifiesIt() throws Exception {
        IpvsDestination destination = IpvsDestination.of(InetAddress.getByName("fd00::20"), 5353, 1);

        assertThat(hex(IpvsMessages.destination(FAMILY, IpvsUapi.CMD_DEL_DEST, DNS6, destination).build(4, FLAGS)))
                .isEqualTo(hex(hex("""
                6c000000 | 1d00 | 0500 | 04000000 | 00000000
                07 | 01 | 0000
                3000 0180
                  0600 0100 0a00 0000
                  0600 0200 1100 0000
                  1400 0300 fd000000 00000000 00000000 00000010
                  0600 0400 0035 0000
                2800 0280
                  0600 0b00 0a00 0000
                  1400 0100 fd000000 00000000 00000000 00000020
                  0600 0200 14e9 0000
                """)));
    }

    @Test
    void infoAndFlushAreBareCommands() {
        assertThat(hex(IpvsMessages.command(FAMILY, IpvsUapi.CMD_GET_INFO).build(5, FLAGS))).isEqualTo(hex(hex("""
                14000000 | 1d00 | 0500 | 05000000 | 00000000
                0f | 01 | 0000
                """)));
        assertThat(hex(IpvsMessages.command(FAMILY, IpvsUapi.CMD_FLUSH).build(6, FLAGS))).isEqualTo(hex(hex("""
                14000000 | 1d00 | 0500 | 06000000 | 00000000
                11 | 01 | 0000
                """)));
    }

    @Test
    void aServiceDumpIsDecodedWithoutTheHashedFlagAndFirewallMarkServicesAreLeftOut() {
        List<NetlinkMessage> dump = NetlinkMessage.parseAll(datagram("""
                74000000 | 1d00 | 0200 | 09000000 | 9a020000
                01 | 01 | 0000
                6000 0180
                  0600 0100 0200 0000
                  0600 0200 0600 0000
                  1400 0300 0a600001 00000000 00000000 00000000
                  0600 0400 01bb 0000
                  0800 0600 77727200
                  0c00 0700 03000000 ffffffff
                  0800 0800 68010000
                  0800 0900 ffffff00
                  0c00 0a80 | 0800 0100 05000000
                4c000000 | 1d00 | 0200 | 09000000 | 9a020000
                01 | 01 | 0000
                3800 0180
                  0600 0100 0200 0000
                  0800 0500 2a000000
                  0700 0600 727200 00
                  0c00 0700 02000000 ffffffff
                  0800 0800 00000000
                  0800 0900 ffffffff
                14000000 | 0300 | 0200 | 09000000 | 9a020000 | 00000000
                """), "test");

        assertThat(IpvsMessages.decodeService(dump.get(0))).contains(new IpvsService(
                key("10.96.0.1", IpvsProtocol.TCP, 443), "wrr", Set.of(IpvsServiceFlag.PERSISTENT), 360, 24));
        assertThat(IpvsMessages.decodeService(dump.get(1))).isEmpty();
        assertThat(dump.get(2).isDone()).isTrue();
    }

    @Test
    void aDestinationDumpCarriesTheConnectionCounts() throws Exception {
        NetlinkMessage reply = NetlinkMessage.parseAll(datagram("""
                8c000000 | 1d00 | 0200 | 0a000000 | 9a020000
                05 | 01 | 0000
                7800 0280
                  1400 0100 0af40105 00000000 00000000 00000000
                  0600 0200 1f90 0000
                  0800 0300 00000000
                  0800 0400 03000000
                  0500 0d00 00 000000
                  0600 0e00 0000 0000
                  0600 0f00 0000 0000
                  0800 0500 00000000
                  0800 0600 00000000
                  0800 0700 02000000
                  0800 0800 07000000
                  0800 0900 00000000
                  0600 0b00 0200 0000
                """), "test").getFirst();

        assertThat(IpvsMessages.decodeDestination(reply, WEB)).isEqualTo(new IpvsDestination(
                InetAddress.getByName("10.244.1.5"), 8080, IpvsForwardMethod.MASQUERADE, 3, 0, 0,
                Optional.of(new IpvsDestinationStats(2, 7, 0))));
    }

    @Test
    void theInfoReplyGivesTheVersionAsIpvsadmPrintsIt() {
        NetlinkMessage reply = NetlinkMessage.parseAll(datagram("""
                24000000 | 1d00 | 0000 | 0b000000 | 9a020000
                0e | 01 | 0000
                0800 0100 01020100
                0800 0200 00100000
                """), "test").getFirst();

        IpvsInfo info = IpvsMessages.decodeInfo(reply);
        assertThat(info.version()).isEqualTo("1.2.1");
        assertThat(info.connectionTableSize()).isEqualTo(4096);
    }

    @Test
    void aDestinationMissingAnAttributeIsNamedInTheError() {
        NetlinkMessage reply = NetlinkMessage.parseAll(datagram("""
                34000000 | 1d00 | 0200 | 0a000000 | 9a020000
                05 | 01 | 0000
                2000 0280
                  1400 0100 0af40105 00000000 00000000 00000000
                  0600 0200 1f90 0000
                """), "test").getFirst();

        assertThatThrownBy(() -> IpvsMessages.decodeDestination(reply, WEB))
                .hasMessage("IPVS service TCP 10.96.0.1:80 destination has no forward method"
                        + " (attribute type 3): EBADMSG");
    }

    @Test
    void settingsTheKernelWouldRefuseAreRefusedWithTheirName() throws Exception {
        assertThatThrownBy(() -> new IpvsService(DNS6, "rr", Set.of(), 0, 0))
                .hasMessage("IPVS service UDP [fd00:0:0:0:0:0:0:10]:53: netmask prefix length 0 is outside 1..128");
        assertThatThrownBy(() -> IpvsService.of(WEB, "a-scheduler-name-too-long"))
                .hasMessage("IPVS service TCP 10.96.0.1:80: scheduler 'a-scheduler-name-too-long' must be 1..15 bytes");
        InetAddress backend = InetAddress.getByName("10.244.1.5");
        assertThatThrownBy(() -> new IpvsDestination(backend, 80, IpvsForwardMethod.MASQUERADE, 1, 10, 20,
                Optional.empty()))
                .hasMessage("IPVS destination 10.244.1.5:80: lower threshold 20 is above upper threshold 10");
    }

    private static IpvsServiceKey key(String address, IpvsProtocol protocol, int port) {
        try {
            return new IpvsServiceKey(InetAddress.getByName(address), protocol, port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
