package dev.sluice.control.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.KernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import org.junit.jupiter.api.Test;

/**
 * The IPVS step through the real tools and netlink, in a namespace of its own, on whatever kernel
 * runs the tests: without IPVS (this host) or with it but no services (the 6.1 guest) it finds
 * nothing to remove and the cleanup goes on.
 */
@KernelTest
class IpvsCleanerKernelTest {

    @Test
    void aNamespaceWithoutKubeProxysIpvsStateHasNothingRemoved() {
        try (NetworkNamespace namespace = ScratchNamespace.create("sl-kpipvs")) {
            NodeTools tools = NodeTools.inNamespace(namespace.name());

            assertEquals(0, new IpvsCleaner(tools).removeVirtualServices());
            assertEquals(new KubeProxyCleanup.Removed(0, 0, 0, 0), KubeProxyCleanup.run(tools));
        }
    }
}
