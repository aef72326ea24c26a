package dev.sluice.lab;

import dev.sluice.ffm.sys.NetworkNamespace;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * A lab on {@link RealTrafficManifest}, with the client's routes a real network would give it:
 * LoadBalancer IPs through node-a (as a cloud load balancer delivers), externalIPs through node-b
 * (as a router would). The lab routes the pod ranges from the client already, so the client can
 * also reach a pod straight, without a service, for baselines.
 */
abstract class RealTrafficTest extends LabTest {
    @Override
    protected List<HasMetadata> manifest(List<Pod> pods) {
        return RealTrafficManifest.objects(pods);
    }

    @BeforeAll
    void routeTheClient() {
        NetworkNamespace client = lab.topology().client();
        String nodeA = LabTopology.NODE_ADDRESSES.get("node-a");
        String nodeB = LabTopology.NODE_ADDRESSES.get("node-b");
        String nodeA6 = LabTopology.NODE_ADDRESSES6.get("node-a");
        String nodeB6 = LabTopology.NODE_ADDRESSES6.get("node-b");
        client.exec("ip", "route", "add", "198.18.200.0/24", "via", nodeA);
        client.exec("ip", "route", "add", "198.18.201.0/24", "via", nodeB);
        client.exec("ip", "-6", "route", "add", "2001:db8:200::/64", "via", nodeA6);
        client.exec("ip", "-6", "route", "add", "2001:db8:201::/64", "via", nodeB6);
    }

    Pod pod(String name) {
        return lab.pods().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pod " + name));
    }
}
