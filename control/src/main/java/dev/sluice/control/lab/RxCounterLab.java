package dev.sluice.control.lab;

import dev.sluice.ffm.BpfLink;
import dev.sluice.ffm.BpfObject;
import dev.sluice.ffm.MapCodec;
import dev.sluice.ffm.PerCpuBpfMap;
import dev.sluice.ffm.XdpMode;
import dev.sluice.ffm.sys.Interfaces;
import dev.sluice.ffm.sys.VethPair;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The first end-to-end run: two lab namespaces joined by a veth, the XDP receive counter attached
 * on one end, real UDP traffic from the other, and the counts read back from the per-CPU map.
 */
@Command(name = "rx-counter-lab", mixinStandardHelpOptions = true,
        description = "Attach the XDP receive counter in a lab namespace, send traffic, print the counts.")
public final class RxCounterLab implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RxCounterLab.class);
    static final String OBJECT = "dev/sluice/bpf/xdp_rx_counter.bpf.o";
    // 198.18.0.0/15 is reserved for benchmarking and routed nowhere; it only exists in the lab.
    static final String CLIENT_ADDRESS = "198.18.0.1";
    static final String NODE_ADDRESS = "198.18.0.2";

    @Option(names = "--datagrams", defaultValue = "1000", description = "UDP datagrams to send (default ${DEFAULT-VALUE}).")
    int datagrams;

    @Option(names = "--payload-bytes", defaultValue = "64", description = "UDP payload size (default ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--xdp-mode", defaultValue = "NATIVE", description = "NATIVE or GENERIC (default ${DEFAULT-VALUE}).")
    XdpMode xdpMode;

    @Option(names = "--lab-name", defaultValue = "sluice-lab", description = "Prefix of the lab namespaces (default ${DEFAULT-VALUE}).")
    String labName;

    private final PrintStream out;

    public RxCounterLab() {
        this(System.out);
    }

    RxCounterLab(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RxCounterLab()).execute(args));
    }

    @Override
    public Integer call() {
        LOG.info("creating lab namespaces {}-a (client {}) and {}-b (node {})", labName, CLIENT_ADDRESS,
                labName, NODE_ADDRESS);
        try (VethPair lab = VethPair.create(labName, CLIENT_ADDRESS, NODE_ADDRESS, 24);
             BpfObject counter = BpfObject.openResource(OBJECT).load()) {
            Thread cleanup = Thread.ofPlatform().unstarted(lab::close);
            Runtime.getRuntime().addShutdownHook(cleanup);
            PerCpuBpfMap<Integer, RxClassCounter> counters =
                    counter.perCpuMap("rx_counters", MapCodec.u32(), RxClassCounter.CODEC);
            int received;
            try (BpfLink link = lab.b().call(() -> counter.program("xdp_rx_counter")
                    .attachXdp(Interfaces.index(VethPair.INTERFACE), xdpMode))) {
                LOG.info("attached {}", link.description());
                LOG.info("sending {} UDP datagrams of {} bytes {} -> {}", datagrams, payloadBytes,
                        CLIENT_ADDRESS, NODE_ADDRESS);
                received = lab.sendUdpFromAToB(datagrams, payloadBytes, 7777);
            }
            Runtime.getRuntime().removeShutdownHook(cleanup);
            out.printf("sent %d UDP datagrams, the node's socket received %d%n", datagrams, received);
            out.print(RxClassCounter.table(counters));
            LOG.info("removing the lab");
            return received == datagrams ? 0 : 1;
        }
    }
}
