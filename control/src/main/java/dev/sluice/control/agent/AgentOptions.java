package dev.sluice.control.agent;

import dev.sluice.control.ipvs.IpvsStateFile;
import dev.sluice.ffm.XdpMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The agent's configuration: flags, with environment variables as defaults where Kubernetes sets them. */
final class AgentOptions {
    @Option(names = "--config", description = "kube-proxy's configuration file (KubeProxyConfiguration, "
            + "kubeproxy.config.k8s.io/v1alpha1): its fields set the matching flags, flags given on the command line win; "
            + "a field asking for what sluice does not do is an error naming it.")
    Path config;

    @Option(names = "--kubeconfig", description = "Kubeconfig to reach the API server (default: in-cluster "
            + "credentials, else $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--v", description = "Log verbosity as kube-proxy counts it: 0-3 info, 4-5 debug, 6 and more trace.")
    Integer verbosity;

    @Option(names = "--node-name", defaultValue = "${env:NODE_NAME}",
            description = "This node's name (default: $NODE_NAME, else the host name).")
    String nodeName;

    @Option(names = "--manifest", description = "Standalone mode: read Services, EndpointSlices and Endpoints "
            + "from this YAML file or directory and reload it on change, instead of watching Kubernetes.")
    Path manifest;

    @Option(names = "--node-addresses", split = ",", defaultValue = "${env:SLUICE_NODE_ADDRESSES}",
            description = "Addresses that serve NodePorts and SNAT (default: the Node object's InternalIPs).")
    List<String> nodeAddresses;

    @Option(names = "--nodeport-addresses", split = ",", description = "CIDRs selecting which node addresses "
            + "serve NodePorts, or 'primary' / 'all' for every node address (the default), as kube-proxy's nodePortAddresses.")
    List<String> nodePortAddresses;

    @Option(names = "--interfaces", split = ",", defaultValue = "${env:SLUICE_INTERFACES}",
            description = "External interfaces that get the XDP program (north-south traffic).")
    List<String> interfaces;

    @Option(names = "--xdp-mode", defaultValue = "NATIVE", description = "NATIVE, GENERIC or AUTO (default ${DEFAULT-VALUE}). A restart with another mode reattaches "
                    + "in it. Native XDP transmits forwarded packets itself on physical devices only; on veths it "
                    + "leaves that to tc.")
    XdpMode xdpMode;

    @Option(names = "--pod-interfaces", split = ",", defaultValue = "${env:SLUICE_POD_INTERFACES}",
            description = "Host-side pod interfaces that get the tc program: names, or prefixes ending in '*' (e.g. veth*).")
    List<String> podInterfaces;

    @Option(names = "--cluster-cidrs", split = ",", defaultValue = "${env:SLUICE_CLUSTER_CIDRS}",
            description = "Pod, service and node CIDRs; with --masquerade, pod traffic to anywhere else leaves with the node address.")
    List<String> clusterCidrs;

    @Option(names = "--datapath", defaultValue = "auto",
            description = "auto, ebpf or ipvs (default ${DEFAULT-VALUE}): auto uses eBPF when its programs load and attach, "
                    + "else IPVS (said in the log, /statusz and sluice_datapath_info); ipvs never touches BPF.")
    String datapath;

    @Option(names = "--masquerade-all", description = "IPVS datapath: masquerade all traffic to services, as kube-proxy's "
            + "--masquerade-all (else ClusterIP traffic from outside --cluster-cidrs, and external traffic unless "
            + "externalTrafficPolicy is Local).")
    boolean masqueradeAll;

    @Option(names = "--masquerade", description = "Masquerade pod traffic leaving the cluster (BPF SNAT).")
    boolean masquerade;

    @Option(names = "--bpffs-root", defaultValue = "${env:SLUICE_BPFFS_ROOT:-/sys/fs/bpf/sluice}",
            description = "Where maps (maps/) and links (links/) are pinned (default ${DEFAULT-VALUE}).")
    Path bpffsRoot;

    @Option(names = "--ipvs-run-dir", defaultValue = "${env:SLUICE_IPVS_RUN_DIR:-" + IpvsStateFile.DEFAULT_RUN_DIRECTORY + "}",
            description = "IPVS datapath: where the node lock and services.json, the record of the virtual services "
                    + "sluice owns (read by a restarted agent, --cleanup and the sluice CLI), are kept "
                    + "(default ${DEFAULT-VALUE}).")
    Path ipvsRunDir;

    @Option(names = "--maglev-table-size", defaultValue = "16381",
            description = "Largest Maglev table: each NodePort, LoadBalancer or external IP service gets the smallest of "
                    + "251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071 with 100 slots per backend, up to this "
                    + "(default ${DEFAULT-VALUE}).")
    int maglevTableSize;

    @Option(names = "--hash-seed", defaultValue = "0",
            description = "Seed of the Maglev permutations and the flow hash; every node must use the same (default ${DEFAULT-VALUE}).")
    int hashSeed;

    @Option(names = "--reply-rate-limit", defaultValue = "1000", paramLabel = "PER_SECOND",
            description = "TCP RSTs and ICMP unreachables the datapath sends per second and CPU to refuse connections "
                    + "to services without endpoints; refusals beyond it are dropped unanswered and counted, so a "
                    + "forged flood is not reflected (default ${DEFAULT-VALUE}).")
    int replyRateLimit;

    @Option(names = "--snat-ports", defaultValue = "1024-29999", description = "Source ports for SNAT, inclusive range (default ${DEFAULT-VALUE}).")
    String snatPorts;

    @Option(names = "--max-services", defaultValue = "65536", description = "Capacity of the service maps (default ${DEFAULT-VALUE}).")
    int maxServices;

    @Option(names = "--max-backends", defaultValue = "262144", description = "Capacity of svc_backends (default ${DEFAULT-VALUE}).")
    int maxBackends;

    @Option(names = "--max-frontends", defaultValue = "65536", description = "Capacity of svc_frontends (default ${DEFAULT-VALUE}).")
    int maxFrontends;

    @Option(names = "--max-connections", defaultValue = "524288", description = "Capacity of ct_entries (default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--metrics-bind-address", defaultValue = "127.0.0.1:10249",
            description = "Serves /metrics, /healthz, /livez, /readyz, /statusz (default ${DEFAULT-VALUE}).")
    String metricsBindAddress;

    @Option(names = "--healthz-bind-address", defaultValue = "0.0.0.0:10256",
            description = "Serves /healthz and /livez only, for load balancers (default ${DEFAULT-VALUE}); empty disables.")
    String healthzBindAddress;

    @Option(names = "--health-check-addresses", split = ",", defaultValue = "0.0.0.0",
            description = "Addresses the health-check node ports of externalTrafficPolicy=Local services listen on.")
    List<String> healthCheckAddresses;

    @Option(names = "--sync-period", defaultValue = "PT30S", description = "Full resync period, ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration syncPeriod;

    @Option(names = "--cgroup-root", defaultValue = "/run/sluice/cgroupv2",
            description = "Where the cgroup2 hierarchy is mounted for socket hooks (default ${DEFAULT-VALUE}).")
    Path cgroupRoot;

    @Option(names = "--prepare-node", description = "Mount bpffs at /sys/fs/bpf and cgroup2 at --cgroup-root "
            + "where the host has none, then exit (the DaemonSet's init container).")
    boolean prepareNode;

    @Option(names = "--cleanup", description = "Remove everything sluice pinned under --bpffs-root (detaching its programs), "
            + "and the IPVS datapath's services (those on sluice-ipvs0's VIPs or listed in --ipvs-run-dir's services.json), "
            + "that link, table inet sluice_ipvs and services.json, and exit.")
    boolean cleanup;

    @Option(names = "--cleanup-kube-proxy", description = "Remove kube-proxy's iptables chains, nftables tables, "
            + "IPVS virtual services, ipsets and kube-ipvs0 from this node, keeping the NAT of connections they "
            + "translated (table inet sluice-handoff), then exit.")
    boolean cleanupKubeProxy;

    @Option(names = "--service-node-port-range", defaultValue = "30000-32767", paramLabel = "MIN-MAX",
            description = "The API server's --service-node-port-range: --cleanup-kube-proxy takes an IPVS virtual "
                    + "service on a node address with a port in it for one of kube-proxy's NodePorts "
                    + "(default ${DEFAULT-VALUE}).")
    String serviceNodePortRange;
}
