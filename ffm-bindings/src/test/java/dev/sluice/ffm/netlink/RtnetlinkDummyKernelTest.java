package dev.sluice.ffm.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.IpvsKernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The IPVS datapath's dummy link; runs with the IPVS tests, on kernels that have the dummy driver. */
@IpvsKernelTest
class RtnetlinkDummyKernelTest {
    private static final String LINK = "kube-ipvs0";

    @Test
    void aDummyLinkHoldsServiceAddressesOfBothFamilies() throws Exception {
        InetAddress v4 = InetAddress.getByName("198.18.0.10");
        InetAddress v6 = InetAddress.getByName("2001:db8::10");
        try (NetworkNamespace namespace = ScratchNamespace.create("sluice-dummy");
             Rtnetlink rtnetlink = namespace.call(Rtnetlink::open)) {
            Link link = rtnetlink.ensureDummy(LINK);
            assertThat(link.kind()).isEqualTo("dummy");
            assertThat(rtnetlink.ensureDummy(LINK).index()).isEqualTo(link.index());

            rtnetlink.setUp(LINK);
            assertThat(rtnetlink.addAddress(LINK, v4)).isTrue();
            assertThat(rtnetlink.addAddress(LINK, v6)).isTrue();
            assertThat(rtnetlink.addresses(LINK)).contains(new LinkAddress(v4, 32), new LinkAddress(v6, 128));
            assertThat(namespace.exec("ip", "-d", "-o", "link", "show", LINK)).contains("dummy");

            assertThat(rtnetlink.removeAddress(LINK, v6)).isTrue();
            assertThat(rtnetlink.addresses(LINK)).contains(new LinkAddress(v4, 32))
                    .doesNotContain(new LinkAddress(v6, 128));
            assertThat(rtnetlink.deleteLink(LINK)).isTrue();
            assertThat(rtnetlink.link(LINK)).isEmpty();
        }
    }
}
