package dev.sluice.ffm.netlink;

import static dev.sluice.ffm.netlink.Bytes.datagram;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetlinkMessageTest {
    // A captured CTRL_CMD_NEWFAMILY reply for IPVS, cut after MAXATTR (the ops and groups that
    // follow are not read), and the NLMSG_ERROR ACK that follows it in the same datagram.
    private static final String FAMILY_REPLY_AND_ACK = """
            40000000 | 1000 | 0000 | 07000000 | 9a020000
            01 | 02 | 0000
            0900 0200 49505653 00 000000
            0600 0100 1d00 0000
            0800 0300 01000000
            0800 0400 00000000
            0800 0500 06000000
            24000000 | 0200 | 0001 | 07000000 | 9a020000
            00000000 | 20000000 1000 0500 07000000 00000000
            """;

    @Test
    void aDatagramSplitsIntoItsMessagesAndAFamilyReplyIsRead() {
        List<NetlinkMessage> messages = NetlinkMessage.parseAll(datagram(FAMILY_REPLY_AND_ACK), "test");

        assertThat(messages).extracting(NetlinkMessage::type).containsExactly(GenericNetlink.GENL_ID_CTRL,
                Netlink.NLMSG_ERROR);
        assertThat(messages.getFirst().sequence()).isEqualTo(7);
        assertThat(messages.getFirst().portId()).isEqualTo(666);
        assertThat(GenericNetlink.parseFamily("IPVS", messages.getFirst()))
                .isEqualTo(new GenericFamily("IPVS", 0x1d, 1, 6));
        assertThat(messages.get(1).errorCode("test")).isZero();
    }

    @Test
    void anErrorCarriesItsErrnoAndTheExtendedAckText() {
        NetlinkMessage error = NetlinkMessage.parseAll(datagram("""
                3c000000 | 0200 | 0003 | 05000000 | 00000000
                a1ffffff | 30000000 1000 0506 05000000 00000000
                1800 0100 556e6b6e6f776e206465766963652074797065 00
                """), "test").getFirst();

        assertThat(error.errorCode("test")).isEqualTo(-95);
        assertThat(error.extendedAck()).isEqualTo("Unknown device type");
    }

    @Test
    void aMessageLongerThanItsDatagramIsNamedAsMalformed() {
        assertThatThrownBy(() -> NetlinkMessage.parseAll(datagram("40000000 1000 0000 01000000 00000000"), "list links"))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("reply to list links: message at offset 0 claims 64 bytes, 16 remain: EBADMSG");
    }

    @Test
    void missingAndMisSizedAttributesNameTheirOwnerAndField() {
        Attributes attributes = Attributes.parse("IPVS destination", datagram("0600 0400 0100 0000"));

        assertThatThrownBy(() -> attributes.u32(4, "weight"))
                .hasMessage("IPVS destination: weight (type 4) is 2 bytes, expected 4: EBADMSG");
        assertThatThrownBy(() -> attributes.u16(2, "port"))
                .hasMessage("IPVS destination has no port (attribute type 2): EBADMSG");
        assertThat(attributes.u16(4, "weight")).isEqualTo(1);
    }
}
