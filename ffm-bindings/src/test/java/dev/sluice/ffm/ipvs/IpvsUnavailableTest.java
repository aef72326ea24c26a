package dev.sluice.ffm.ipvs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What a kernel without IPVS (and without a loadable ip_vs) makes of {@link IpvsClient#open()}. */
@KernelTest
class IpvsUnavailableTest {

    @Test
    void openingSaysPlainlyThatIpvsIsNotAvailable() {
        try (NetworkNamespace namespace = ScratchNamespace.create("sluice-noipvs")) {
            try (IpvsClient ipvs = namespace.call(IpvsClient::open)) {
                Assumptions.abort("this kernel has IPVS (version " + ipvs.info().version()
                        + "); IpvsClientKernelTest covers it");
            } catch (IpvsUnavailableException unavailable) {
                assertThat(unavailable.errnoName()).isEqualTo("ENOENT");
                assertThat(unavailable.getMessage())
                        .startsWith("IPVS is not available in this kernel: generic netlink family 'IPVS'"
                                + " is not registered and ")
                        .containsAnyOf("ip_vs would have to be built in", "loading module ip_vs failed");
            }
        }
    }
}
