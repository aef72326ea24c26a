package dev.sluice.ffm.netlink;

import static dev.sluice.ffm.netlink.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageBuilderTest {

    @Test
    void aFamilyLookupIsTheHeaderTheGenlHeaderAndAPaddedString() {
        byte[] built = GenericNetlink.familyRequest("IPVS").build(7, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK);

        assertThat(hex(built)).isEqualTo(hex(hex("""
                20000000 | 1000 | 0500 | 07000000 | 00000000
                03 | 02 | 0000
                0900 0200 49505653 00 000000
                """)));
    }

    @Test
    void everyAttributeKindIsLaidOutAndPaddedToFourBytes() {
        MessageBuilder message = new MessageBuilder(0x1234, Netlink.NLM_F_CREATE)
                .header(new byte[] {1, 2, 3})
                .u8(1, 0xab)
                .u16(2, 0x0102)
                .u32(3, 0x01020304)
                .u64(4, 0x0102030405060708L)
                .be16(5, 8080)
                .string(6, "ab")
                .binary(7, new byte[] {9, 8, 7, 6, 5});
        int nest = message.beginNested(8);
        message.u32(1, 42);
        message.endNested(nest);

        assertThat(hex(message.build(1, Netlink.NLM_F_REQUEST))).isEqualTo(hex(hex("""
                60000000 | 3412 | 0104 | 01000000 | 00000000
                010203 00
                0500 0100 ab 000000
                0600 0200 0201 0000
                0800 0300 04030201
                0c00 0400 0807060504030201
                0600 0500 1f90 0000
                0700 0600 616200 00
                0900 0700 0908070605 000000
                0c00 0880 | 0800 0100 2a000000
                """)));
    }
}
