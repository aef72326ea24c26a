package dev.sluice.control.ipvs;

import static dev.sluice.control.model.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.model.FrontendKind;
import dev.sluice.ffm.ipvs.IpvsProtocol;
import dev.sluice.ffm.ipvs.IpvsService;
import dev.sluice.ffm.ipvs.IpvsServiceKey;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IpvsCleanupTest {
    @Test
    void sluiceOwnsWhatIsOnTheDummyOrRecordedAndNothingElse() {
        IpvsServiceKey clusterIp = new IpvsServiceKey(ip("10.96.0.10"), IpvsProtocol.TCP, 80);
        IpvsServiceKey nodePort = new IpvsServiceKey(ip("192.168.1.5"), IpvsProtocol.TCP, 30080);
        IpvsServiceKey foreignOnNode = new IpvsServiceKey(ip("192.168.1.5"), IpvsProtocol.TCP, 30081);
        IpvsServiceKey foreign = new IpvsServiceKey(ip("172.16.0.1"), IpvsProtocol.UDP, 53);
        OwnedService recorded = new OwnedService(nodePort, "ns", "web", "http", FrontendKind.NODE_PORT, "rr", 0,
                false, false);

        List<IpvsServiceKey> owned = IpvsCleanup.owned(
                List.of(IpvsService.of(clusterIp, "rr"), IpvsService.of(nodePort, "rr"),
                        IpvsService.of(foreignOnNode, "rr"), IpvsService.of(foreign, "wlc")),
                Set.of(ip("10.96.0.10")), List.of(recorded));

        assertThat(owned).containsExactly(clusterIp, nodePort);
    }
}
