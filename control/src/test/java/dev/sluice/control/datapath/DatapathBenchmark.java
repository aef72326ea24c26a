package dev.sluice.control.datapath;

import static dev.sluice.control.datapath.DatapathLab.CLIENT_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_B_MAC;
import static dev.sluice.control.datapath.DatapathLab.NODE_MAC;
import static dev.sluice.control.datapath.TestServices.TCP;

import dev.sluice.control.datapath.packet.TcpFlag;
import dev.sluice.ffm.BpfObject;
import dev.sluice.ffm.BpfProgram;
import dev.sluice.ffm.TestRun;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * ns/packet of xdp_node per path, each beside an XDP program that only returns XDP_PASS, measured
 * in the same run with the kernel's own BPF_PROG_RUN timer. Every run gets a fresh copy of its
 * frame (XDP test runs rewrite their buffer in place), so "new flow" runs really create flows.
 * A command, not a test: {@code bin/bench-datapath [runs-per-path]}.
 */
public final class DatapathBenchmark {
    private static final int WARMUP = 2_000;

    private DatapathBenchmark() {
    }

    record Path(String name, IntFunction<byte[]> frame) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        LabAddresses net = LabAddresses.IPV4;
        try (DatapathLab lab = DatapathLab.create();
             BpfObject baselineObject = BpfObject.openResource("dev/sluice/bpf/test/xdp_pass.bpf.o").load()) {
            lab.maps().config().put(0, new DatapathConfig(DatapathLab.HASH_SEED, 1024, 65535, net.node, null));
            TestServices.install(lab.maps(), 1, 0, 0, Map.of(11, new BackendValue(net.remotePod1, 8080, 0),
                            12, new BackendValue(net.remotePod2, 8080, 0)), TestServices.table(11, 12),
                    List.of(new FrontendKey(net.node, 30080, TCP)), FrontendValue.NODE_PORT);
            TestServices.install(lab.maps(), 2, 0, 0, Map.of(21, new BackendValue(net.localPod1, 8080, BackendValue.F_LOCAL),
                            22, new BackendValue(net.localPod2, 8080, BackendValue.F_LOCAL)), TestServices.table(21, 22),
                    List.of(new FrontendKey(net.loadBalancerIp, 80, TCP)), FrontendValue.LOAD_BALANCER);

            // One established SNAT flow for the established and reply paths.
            byte[] firstSyn = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 50000, 30080).flags(TcpFlag.SYN).build();
            lab.xdp(firstSyn);
            ConntrackValue flow = lab.maps().conntrack(4).lookup(new Tuple(net.client, net.node, 50000, 30080, TCP)).orElseThrow();
            byte[] established = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 50000, 30080)
                    .flags(TcpFlag.ACK).payload(new byte[64]).build();
            byte[] reply = net.tcp(NODE_B_MAC, NODE_MAC, flow.natDestination(), net.node, 64, 8080, flow.natSourcePort())
                    .flags(TcpFlag.ACK).payload(new byte[64]).build();
            byte[] nonService = net.tcp(CLIENT_MAC, NODE_MAC, net.client, net.node, 64, 50000, 22)
                    .flags(TcpFlag.ACK).payload(new byte[64]).build();

            List<Path> paths = List.of(
                    new Path("non-service packet", i -> nonService),
                    new Path("new TCP flow, local backend (Maglev)", i -> syn(net, net.loadBalancerIp, 80, i)),
                    new Path("new TCP flow, remote backend (Maglev + SNAT)", i -> syn(net, net.node, 30080, i)),
                    new Path("established flow (conntrack hit)", i -> established),
                    new Path("reply (reverse NAT)", i -> reply));

            BpfProgram datapath = lab.datapath().xdpNode();
            BpfProgram baseline = baselineObject.program("xdp_pass");
            System.out.printf("xdp_node, BPF_PROG_RUN, %d runs per path, mean of the kernel's per-run time%n", runs);
            System.out.printf("%-46s %10s %10s %10s %8s%n", "PATH", "NS/PKT", "P50", "P99", "X PASS");
            lab.node().run(() -> {
                for (Path path : paths) {
                    long[] base = measure(lab, baseline, path, runs, 1_000_000);
                    long[] measured = measure(lab, datapath, path, runs, 0);
                    double ratio = mean(measured) / mean(base);
                    System.out.printf("%-46s %10.1f %10d %10d %8.2f%n", path.name(), mean(measured),
                            percentile(measured, 50), percentile(measured, 99), ratio);
                }
            });
        }
    }

    private static byte[] syn(LabAddresses net, InetAddress frontend, int port, int i) {
        // Distinct clients and ports: every run is a new flow (and a new SNAT port).
        byte[] client = net.client.getAddress().clone();
        client[2] = (byte) (i >> 16);
        client[3] = (byte) (1 + (i % 250));
        try {
            return net.tcp(CLIENT_MAC, NODE_MAC, InetAddress.getByAddress(client), frontend, 64,
                    1024 + (i / 250) % 60000, port).flags(TcpFlag.SYN).build();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Kernel-timed ns of single runs; `offset` keeps baseline frames apart from real flows. */
    private static long[] measure(DatapathLab lab, BpfProgram program, Path path, int runs, int offset) {
        for (int i = 0; i < WARMUP; i++) {
            program.testRun(lab.xdpRun(path.frame().apply(offset + runs + i), 1));
        }
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            TestRun run = lab.xdpRun(path.frame().apply(offset + i), 1);
            nanos[i] = program.testRun(run).averageNanos();
        }
        return nanos;
    }

    private static double mean(long[] values) {
        return Arrays.stream(values).average().orElse(0);
    }

    private static long percentile(long[] values, int percent) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)];
    }
}
