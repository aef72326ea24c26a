package dev.sluice.ffm.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ffm.Errno;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Links and addresses in a scratch namespace. The link is a bridge, which every kernel that runs
 * containers has; the dummy link the IPVS datapath uses is tested with IPVS, in the guest kernel
 * that has both ({@code DummyLinkKernelTest}).
 */
@KernelTest
class RtnetlinkTest {
    private static final String LINK = "sluice-test0";
    private static final String KIND = "bridge";

    private NetworkNamespace namespace;
    private Rtnetlink rtnetlink;

    @BeforeEach
    void openInAFreshNamespace() {
        namespace = ScratchNamespace.create("sluice-rt");
        rtnetlink = namespace.call(Rtnetlink::open);
    }

    @AfterEach
    void cleanUp() {
        if (rtnetlink != null) {
            rtnetlink.close();
        }
        namespace.close();
    }

    @Test
    void aLinkIsCreatedOnceSetUpAndDeleted() {
        assertThat(rtnetlink.link(LINK)).isEmpty();

        Link created = rtnetlink.ensureLink(LINK, KIND);
        assertThat(created.name()).isEqualTo(LINK);
        assertThat(created.kind()).isEqualTo(KIND);
        assertThat(created.up()).isFalse();
        assertThat(rtnetlink.ensureLink(LINK, KIND)).isEqualTo(created);

        rtnetlink.setUp(LINK);
        assertThat(rtnetlink.link(LINK).orElseThrow().up()).isTrue();
        assertThat(namespace.exec("ip", "-o", "link", "show", LINK)).contains("UP");
        assertThat(rtnetlink.links()).extracting(Link::name).contains("lo", LINK);

        assertThat(rtnetlink.deleteLink(LINK)).isTrue();
        assertThat(rtnetlink.deleteLink(LINK)).isFalse();
        assertThat(rtnetlink.link(LINK)).isEmpty();
    }

    @Test
    void hostAddressesOfBothFamiliesAreAddedListedAndRemoved() throws Exception {
        rtnetlink.ensureLink(LINK, KIND);
        InetAddress v4 = InetAddress.getByName("198.18.0.10");
        InetAddress v6 = InetAddress.getByName("2001:db8::10");

        assertThat(rtnetlink.addAddress(LINK, v4)).isTrue();
        assertThat(rtnetlink.addAddress(LINK, v6)).isTrue();
        assertThat(rtnetlink.addAddress(LINK, v4)).isFalse();

        assertThat(rtnetlink.addresses(LINK)).contains(new LinkAddress(v4, 32), new LinkAddress(v6, 128));
        assertThat(namespace.exec("ip", "-o", "addr", "show", "dev", LINK))
                .contains("inet 198.18.0.10/32").contains("inet6 2001:db8::10/128");
        assertThat(rtnetlink.addresses("lo")).doesNotContain(new LinkAddress(v4, 32));

        assertThat(rtnetlink.removeAddress(LINK, v4)).isTrue();
        assertThat(rtnetlink.removeAddress(LINK, v6)).isTrue();
        assertThat(rtnetlink.removeAddress(LINK, v4)).isFalse();
        assertThat(rtnetlink.addresses(LINK)).extracting(LinkAddress::address).doesNotContain(v4, v6);
    }

    @Test
    void errorsNameTheLinkAndTheKind() throws Exception {
        InetAddress address = InetAddress.getByName("198.18.0.10");
        assertThatThrownBy(() -> rtnetlink.addAddress("sluice-none0", address))
                .hasMessage("add address 198.18.0.10/32 to link 'sluice-none0': no link 'sluice-none0'"
                        + " in this network namespace: ENODEV");

        assertThatThrownBy(() -> rtnetlink.ensureLink(LINK, "sluicenonesuch"))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP);
                    assertThat(e.getMessage()).startsWith("create sluicenonesuch link 'sluice-test0': this kernel"
                            + " has no 'sluicenonesuch' link driver, built in or as a module: EOPNOTSUPP");
                    assertThat(e.kernelMessage()).isEqualTo("Unknown device type");
                });

        rtnetlink.ensureLink(LINK, KIND);
        assertThatThrownBy(() -> rtnetlink.ensureLink("lo", KIND))
                .hasMessage("link 'lo' exists with kind '', not 'bridge'");
    }
}
