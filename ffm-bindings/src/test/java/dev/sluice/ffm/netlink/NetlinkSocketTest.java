package dev.sluice.ffm.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ffm.Errno;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@KernelTest
class NetlinkSocketTest {
    private NetworkNamespace namespace;
    private NetlinkSocket socket;

    @BeforeEach
    void openInAFreshNamespace() {
        namespace = ScratchNamespace.create("sluice-nl");
        socket = namespace.call(() -> NetlinkSocket.open(Netlink.NETLINK_GENERIC, "generic"));
    }

    @AfterEach
    void cleanUp() {
        if (socket != null) {
            socket.close();
        }
        namespace.close();
    }

    @Test
    void theControllerDescribesItselfAndSaysNothingOfUnknownFamilies() {
        GenericFamily controller = GenericNetlink.resolve(socket, "nlctrl").orElseThrow();

        assertThat(controller.id()).isEqualTo(GenericNetlink.GENL_ID_CTRL);
        assertThat(controller.version()).isPositive();
        assertThat(GenericNetlink.resolve(socket, "sluice-nonesuch")).isEmpty();
        assertThat(socket.portId()).isNotZero();
    }

    @Test
    void aRefusedRequestNamesItselfAndCarriesTheErrno() {
        // The controller accepts no CTRL_CMD_NEWFAMILY from user space.
        MessageBuilder bogus = new MessageBuilder(GenericNetlink.GENL_ID_CTRL, 0)
                .genlHeader(GenericNetlink.CTRL_CMD_NEWFAMILY, GenericNetlink.CTRL_VERSION);

        assertThatThrownBy(() -> socket.request("register family 'bogus'", bogus))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP);
                    assertThat(e.getMessage()).startsWith("register family 'bogus': EOPNOTSUPP");
                });
        // The socket is still in step: the next request gets its own answer.
        assertThat(GenericNetlink.resolve(socket, "nlctrl")).isPresent();
    }

    @Test
    void aDumpReturnsEveryPartUntilDone() {
        MessageBuilder everyFamily = new MessageBuilder(GenericNetlink.GENL_ID_CTRL, 0)
                .genlHeader(GenericNetlink.CTRL_CMD_GETFAMILY, GenericNetlink.CTRL_VERSION);

        assertThat(socket.dump("list generic netlink families", everyFamily))
                .extracting(message -> message.attributes(GenericNetlink.GENL_HEADER_SIZE, "family")
                        .string(GenericNetlink.CTRL_ATTR_FAMILY_NAME, "name"))
                .contains("nlctrl");
    }

    @Test
    void aClosedSocketRefusesRequestsByName() {
        socket.close();

        assertThatThrownBy(() -> GenericNetlink.resolve(socket, "nlctrl"))
                .hasMessage("resolve generic netlink family 'nlctrl': generic netlink socket is closed");
    }
}
