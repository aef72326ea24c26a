package dev.sluice.ffm.ipvs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.ffm.netlink.GenericNetlink;
import dev.sluice.ffm.netlink.Netlink;
import dev.sluice.ffm.netlink.NetlinkSocket;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import org.junit.jupiter.api.Test;

/** What a kernel without IPVS (and without a loadable ip_vs) makes of {@link IpvsClient#open()}. */
@KernelTest
class IpvsUnavailableTest {

    @Test
    void openingSaysPlainlyThatIpvsIsNotAvailable() {
        try (NetworkNamespace namespace = ScratchNamespace.create("sluice-noipvs")) {
            boolean registered = namespace.call(() -> {
                try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_GENERIC, "probe")) {
                    return GenericNetlink.resolve(socket, "IPVS").isPresent();
                }
            });
            assumeTrue(!registered, "this kernel has IPVS; IpvsClientKernelTest covers it");

            assertThatThrownBy(() -> namespace.call(IpvsClient::open))
                    .isInstanceOf(IpvsUnavailableException.class)
                    .hasMessageStartingWith("IPVS is not available in this kernel: generic netlink family 'IPVS'"
                            + " is not registered and ")
                    .hasMessageEndingWith(": ENOENT");
        }
    }
}
