package dev.sluice.ffm.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ffm.Errno;
import dev.sluice.ffm.netlink.NetlinkException;
import dev.sluice.ffm.sys.NetworkNamespace;
import dev.sluice.ffm.testing.IpvsKernelTest;
import dev.sluice.ffm.testing.ScratchNamespace;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The IPVS table of a scratch namespace, both address families, against a kernel that has IPVS. */
@IpvsKernelTest
class IpvsClientKernelTest {
    private NetworkNamespace namespace;
    private IpvsClient ipvs;

    @BeforeEach
    void openInAFreshNamespace() {
        namespace = ScratchNamespace.create("sluice-ipvs");
        ipvs = namespace.call(IpvsClient::open);
    }

    @AfterEach
    void cleanUp() {
        if (ipvs != null) {
            ipvs.close();
        }
        namespace.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.18.0.10", "2001:db8::10"})
    void aServiceIsAddedListedUpdatedAndDeleted(String vip) throws Exception {
        IpvsServiceKey key = new IpvsServiceKey(InetAddress.getByName(vip), IpvsProtocol.TCP, 80);
        IpvsService added = IpvsService.of(key, "rr");
        assertThat(ipvs.services()).isEmpty();

        ipvs.addService(added);
        assertThat(ipvs.services()).containsExactly(added);
        assertThat(ipvs.service(key)).contains(added);

        IpvsService updated = new IpvsService(key, "wrr", Set.of(IpvsServiceFlag.PERSISTENT), 600,
                key.isIpv6() ? 64 : 24);
        ipvs.updateService(updated);
        assertThat(ipvs.services()).containsExactly(updated);

        // Flags are replaced as a whole: persistence is gone again.
        ipvs.updateService(IpvsService.of(key, "wrr"));
        assertThat(ipvs.service(key).orElseThrow().isPersistent()).isFalse();

        assertThatThrownBy(() -> ipvs.addService(added))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST))
                .hasMessageStartingWith("add IPVS service " + key + " (scheduler rr): EEXIST");

        assertThat(ipvs.deleteService(key)).isTrue();
        assertThat(ipvs.deleteService(key)).isFalse();
        assertThat(ipvs.services()).isEmpty();
        assertThat(ipvs.service(key)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.18.0.10/198.18.1.1/198.18.1.2", "2001:db8::10/2001:db8:1::1/2001:db8:1::2"})
    void destinationsAreAddedListedWithStatsUpdatedAndDeleted(String addresses) throws Exception {
        String[] parts = addresses.split("/");
        IpvsServiceKey key = new IpvsServiceKey(InetAddress.getByName(parts[0]), IpvsProtocol.UDP, 53);
        IpvsDestination first = IpvsDestination.of(InetAddress.getByName(parts[1]), 5353, 1);
        IpvsDestination second = IpvsDestination.of(InetAddress.getByName(parts[2]), 5353, 2);
        ipvs.addService(IpvsService.of(key, "wrr"));
        assertThat(ipvs.destinations(key)).isEmpty();

        ipvs.addDestination(key, first);
        ipvs.addDestination(key, second);
        List<IpvsDestination> listed = ipvs.destinations(key);
        assertThat(listed).map(IpvsDestination::withoutStats).containsExactlyInAnyOrder(first, second);
        assertThat(listed).allSatisfy(destination -> assertThat(destination.stats())
                .contains(new IpvsDestinationStats(0, 0, 0)));

        IpvsDestination heavier = second.withWeight(7);
        ipvs.updateDestination(key, heavier);
        assertThat(ipvs.destinations(key)).map(IpvsDestination::withoutStats).containsExactlyInAnyOrder(first, heavier);

        assertThatThrownBy(() -> ipvs.addDestination(key, first))
                .hasMessageStartingWith("add destination " + first.endpoint() + " to IPVS service " + key + ": EEXIST");

        assertThat(ipvs.deleteDestination(key, first)).isTrue();
        assertThat(ipvs.deleteDestination(key, first)).isFalse();
        assertThat(ipvs.destinations(key)).map(IpvsDestination::withoutStats).containsExactly(heavier);
    }

    @Test
    void thresholdsAndForwardMethodsRoundTrip() throws Exception {
        IpvsServiceKey key = new IpvsServiceKey(InetAddress.getByName("198.18.0.10"), IpvsProtocol.TCP, 443);
        IpvsDestination limited = new IpvsDestination(InetAddress.getByName("198.18.1.1"), 443,
                IpvsForwardMethod.DIRECT_ROUTE, 5, 100, 10, Optional.empty());
        ipvs.addService(IpvsService.of(key, "rr"));

        ipvs.addDestination(key, limited);

        assertThat(ipvs.destinations(key)).map(IpvsDestination::withoutStats).containsExactly(limited);
    }

    @Test
    void anIpv6DestinationOfAnIpv4ServiceNeedsTunnelling() throws Exception {
        IpvsServiceKey key = new IpvsServiceKey(InetAddress.getByName("198.18.0.10"), IpvsProtocol.TCP, 80);
        IpvsDestination masqueraded = IpvsDestination.of(InetAddress.getByName("2001:db8:1::1"), 80, 1);
        IpvsDestination tunnelled = new IpvsDestination(masqueraded.address(), 80, IpvsForwardMethod.TUNNEL, 1, 0, 0,
                Optional.empty());
        ipvs.addService(IpvsService.of(key, "rr"));

        assertThatThrownBy(() -> ipvs.addDestination(key, masqueraded))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        ipvs.addDestination(key, tunnelled);

        assertThat(ipvs.destinations(key)).map(IpvsDestination::withoutStats).containsExactly(tunnelled);
    }

    @Test
    void oneAddressAndPortMakesDistinctServicesPerProtocol() throws Exception {
        InetAddress vip = InetAddress.getByName("198.18.0.10");
        for (IpvsProtocol protocol : IpvsProtocol.values()) {
            ipvs.addService(IpvsService.of(new IpvsServiceKey(vip, protocol, 8080), "rr"));
        }

        assertThat(ipvs.services()).extracting(service -> service.key().protocol())
                .containsExactlyInAnyOrder(IpvsProtocol.values());
    }

    @Test
    void flushEmptiesTheTableOfThisNamespaceOnly() throws Exception {
        IpvsServiceKey key = new IpvsServiceKey(InetAddress.getByName("198.18.0.10"), IpvsProtocol.TCP, 80);
        ipvs.addService(IpvsService.of(key, "rr"));
        ipvs.addDestination(key, IpvsDestination.of(InetAddress.getByName("198.18.1.1"), 80, 1));

        try (NetworkNamespace other = ScratchNamespace.create("sluice-ipvs");
             IpvsClient elsewhere = other.call(IpvsClient::open)) {
            assertThat(elsewhere.services()).isEmpty();
            elsewhere.addService(IpvsService.of(key, "rr"));
            ipvs.flush();
            assertThat(elsewhere.services()).hasSize(1);
        }
        assertThat(ipvs.services()).isEmpty();
    }

    @Test
    void infoAndSchedulersAreReported() throws Exception {
        assertThat(ipvs.info().version()).startsWith("1.2.");
        assertThat(ipvs.info().connectionTableSize()).isPositive();
        assertThat(ipvs.schedulerAvailable("rr")).isTrue();
        assertThat(ipvs.schedulerAvailable("mh")).isTrue();
        assertThat(ipvs.schedulerAvailable("sluicenone")).isFalse();
        // The probe leaves nothing behind.
        assertThat(ipvs.schedulerAvailable("mh")).isTrue();

        IpvsServiceKey key = new IpvsServiceKey(InetAddress.getByName("2001:db8::10"), IpvsProtocol.TCP, 80);
        assertThatThrownBy(() -> ipvs.addService(IpvsService.of(key, "sluicenone")))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
                .hasMessageStartingWith("add IPVS service TCP [2001:db8:0:0:0:0:0:10]:80 (scheduler sluicenone):"
                        + " the kernel has no IPVS scheduler 'sluicenone' (module ip_vs_sluicenone): ENOENT");
    }

    @Test
    void operationsOnAMissingServiceNameIt() throws Exception {
        IpvsServiceKey key = new IpvsServiceKey(InetAddress.getByName("198.18.0.99"), IpvsProtocol.TCP, 80);

        assertThatThrownBy(() -> ipvs.destinations(key))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH))
                .hasMessage("list destinations of IPVS service TCP 198.18.0.99:80: no such service: ESRCH");
        assertThatThrownBy(() -> ipvs.updateService(IpvsService.of(key, "rr")))
                .hasMessageStartingWith("update IPVS service TCP 198.18.0.99:80: ESRCH");
        assertThatThrownBy(() -> ipvs.addDestination(key, IpvsDestination.of(InetAddress.getByName("198.18.1.1"), 80, 1)))
                .hasMessageStartingWith("add destination 198.18.1.1:80 to IPVS service TCP 198.18.0.99:80: ESRCH");
    }
}
