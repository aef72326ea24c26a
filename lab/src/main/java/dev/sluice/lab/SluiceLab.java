package dev.sluice.lab;

import dev.sluice.cli.Sluice;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's run command: an isolated lab with two nodes running real sluice agents in
 * standalone mode, real servers in pods and a real client, showing how requests spread.
 */
@Command(name = "sluice-lab", mixinStandardHelpOptions = true, subcommands = SluiceLab.Down.class,
        description = "Start the lab, send requests through sluice, show what the pods saw.")
public final class SluiceLab implements Callable<Integer> {
    @Option(names = "--requests", defaultValue = "12", description = "Requests per path (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--pods-per-node", defaultValue = "2", description = "Backend pods on each node (default ${DEFAULT-VALUE}).")
    int podsPerNode;

    @Option(names = "--keep", description = "Keep the lab running until Ctrl-C.")
    boolean keep;

    @Option(names = "--datapath", defaultValue = "ebpf", converter = DatapathConverter.class,
            description = "The agents' datapath: ebpf or ipvs (IPVS needs a kernel with ip_vs; default ${DEFAULT-VALUE}).")
    LabDatapath datapath;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SluiceLab()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        try (Lab lab = Lab.start(podsPerNode, datapath)) {
            Thread cleanup = Thread.ofPlatform().unstarted(() -> {
                interrupted.countDown();
                lab.close();
            });
            Runtime.getRuntime().addShutdownHook(cleanup);
            out.printf("lab is up (datapath %s): client %s, node-a %s, node-b %s, pods %s%n%n", datapath,
                    LabTopology.CLIENT_ADDRESS,
                    LabTopology.NODE_ADDRESSES.get("node-a"), LabTopology.NODE_ADDRESSES.get("node-b"),
                    lab.pods().stream().map(p -> p.name() + "@" + p.node() + "=" + p.address()).toList());
            List<String> paths = new ArrayList<>();
            Map<String, Map<String, Integer>> seen = new TreeMap<>();
            for (String node : List.of("node-a", "node-b")) {
                String address = LabTopology.NODE_ADDRESSES.get(node);
                String path = "client -> " + address + ":" + LabManifest.WEB_NODE_PORT + "/tcp (NodePort via " + node + ")";
                paths.add(path);
                for (int i = 0; i < requests; i++) {
                    tally(seen, path, lab.client().http(address, LabManifest.WEB_NODE_PORT));
                }
            }
            Pod pod = lab.pods().getFirst();
            String clusterIpPath = pod.name() + " -> " + LabManifest.WEB_CLUSTER_IP + ":" + LabManifest.WEB_PORT + "/tcp (ClusterIP)";
            paths.add(clusterIpPath);
            for (int i = 0; i < requests; i++) {
                tally(seen, clusterIpPath, lab.podClient(pod).http(LabManifest.WEB_CLUSTER_IP, LabManifest.WEB_PORT));
            }
            String udpPath = "client -> " + LabTopology.NODE_ADDRESSES.get("node-b") + ":" + LabManifest.ECHO_NODE_PORT + "/udp (NodePort)";
            paths.add(udpPath);
            for (int i = 0; i < requests; i++) {
                tally(seen, udpPath, lab.client().udp(LabTopology.NODE_ADDRESSES.get("node-b"), LabManifest.ECHO_NODE_PORT));
            }
            for (String path : paths) {
                out.println(path);
                out.printf("  %-10s %-16s %s%n", "POD", "CLIENT SEEN", "REQUESTS");
                seen.getOrDefault(path, Map.of()).forEach((answer, count) -> {
                    String[] fields = answer.split(" ");
                    out.printf("  %-10s %-16s %d%n", fields[0].substring(4), fields[1].substring(7), count);
                });
                out.println();
            }
            LargeResponses.show(lab, out);
            showDatapath(lab);
            out.println();
            out.println("agent logs and the manifest: " + Lab.RUN_DIRECTORY);
            if (keep) {
                out.println("the lab keeps running; Ctrl-C removes it");
                interrupted.await();
            }
            Runtime.getRuntime().removeShutdownHook(cleanup);
            return 0;
        }
    }

    /**
     * What node-a's datapath holds, as an operator reads it: {@code sluice services} in node-a's
     * namespace (an IPVS table is per namespace), on its pinned maps or its IPVS table.
     */
    private void showDatapath(Lab lab) {
        Path nodeA = lab.topology().bpffsRoot("node-a");
        String[] command = datapath == LabDatapath.IPVS
                ? new String[] {"services", "--datapath", "ipvs", "--ipvs-run-dir", LabAgent.ipvsRunDir(nodeA).toString()}
                : new String[] {"services", "--bpffs-root", nodeA.toString()};
        out.println("$ sluice " + String.join(" ", command) + "    # what node-a's datapath holds");
        PrintWriter writer = new PrintWriter(out, true);
        lab.topology().nodes().get("node-a").run(() -> Sluice.execute(command, writer, writer, System.getenv(), System::nanoTime));
        writer.flush();
    }

    /** ebpf or ipvs, as the agent spells them. */
    static final class DatapathConverter implements CommandLine.ITypeConverter<LabDatapath> {
        @Override
        public LabDatapath convert(String value) {
            for (LabDatapath datapath : List.of(LabDatapath.EBPF, LabDatapath.IPVS)) {
                if (datapath.flag().equals(value)) {
                    return datapath;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is neither ebpf nor ipvs");
        }
    }

    private static void tally(Map<String, Map<String, Integer>> seen, String path, String answer) {
        seen.computeIfAbsent(path, p -> new TreeMap<>()).merge(answer, 1, Integer::sum);
    }

    /** Removes whatever a killed lab left behind. */
    @Command(name = "down", mixinStandardHelpOptions = true, description = "Remove a lab left behind.")
    static final class Down implements Callable<Integer> {
        @Override
        public Integer call() {
            LabTopology.removeLeftovers(Lab.PREFIX, Lab.RUN_DIRECTORY);
            System.out.println("lab removed");
            return 0;
        }
    }
}
