package dev.sluice.cli;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.sluice.control.ipvs.IpvsStateFile;
import dev.sluice.control.ipvs.OwnedService;
import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.MapLayoutException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code sluice}: looks at a node's datapath through the maps the agent pinned, and asks the
 * agent how it is. Reads only; nothing here writes a map.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Sluice.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Inspect the sluice datapath on this node through the BPF maps the agent pinned "
                + "(read only: nothing is ever written), and ask the agent how it is.",
            "",
            "On the IPVS datapath, services and backends read the kernel's IPVS table instead, joined with the "
                + "agent's record of the virtual services it owns (--ipvs-run-dir/services.json); the other "
                + "commands but status need the eBPF maps. Which datapath is read (--datapath auto): IPVS when "
                + "services.json exists, else the pinned maps. The IPVS agent writes that file from its first sync "
                + "on and the eBPF agent removes it when it starts (as --cleanup does), so it names the datapath "
                + "that started last even where stale pins remain."},
        subcommands = {ServicesCommand.class, BackendsCommand.class, MaglevCommand.class,
            ConnectionsCommand.Conntrack.class, ConnectionsCommand.Nat.class, AffinityCommand.class,
            StatsCommand.class, StatusCommand.class, CompletionCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:OK",
            "1:failure (agent unhealthy or not ready, internal error)",
            "2:usage error",
            "3:no pinned maps (agent never ran, wrong --bpffs-root)",
            "4:permission denied (run as root)",
            "5:a map's layout differs from this CLI's (versions differ)",
            "6:agent not reachable",
            "7:no such service, or an ambiguous one",
        },
        footer = {"%nEnvironment: SLUICE_BPFFS_ROOT (default of --bpffs-root), SLUICE_IPVS_RUN_DIR (default of "
            + "--ipvs-run-dir), SLUICE_AGENT (default of --agent)."})
public final class Sluice implements Runnable {
    public static final String DEFAULT_BPFFS_ROOT = "/sys/fs/bpf/sluice";
    public static final String DEFAULT_AGENT = "127.0.0.1:10249";
    public static final String DEFAULT_IPVS_RUN_DIR = IpvsStateFile.DEFAULT_RUN_DIRECTORY;

    /** Which datapath's state the commands read. */
    public enum Datapath { auto, ebpf, ipvs }

    @Option(names = "--bpffs-root", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "The agent's bpffs directory; maps are read from DIR/maps "
                    + "(default: $SLUICE_BPFFS_ROOT, else " + DEFAULT_BPFFS_ROOT + ").")
    Path bpffsRoot;

    @Option(names = "--ipvs-run-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "The IPVS agent's run directory, holding services.json (default: $SLUICE_IPVS_RUN_DIR, else "
                    + DEFAULT_IPVS_RUN_DIR + ").")
    Path ipvsRunDir;

    @Option(names = "--datapath", scope = ScopeType.INHERIT, paramLabel = "auto|ebpf|ipvs",
            description = "Which datapath to read: auto (default) is ipvs when --ipvs-run-dir holds services.json, "
                    + "else ebpf.")
    Datapath datapath;

    @Option(names = "--agent", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
            description = "The agent's metrics/status address (default: $SLUICE_AGENT, else " + DEFAULT_AGENT + ").")
    String agent;

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;
    private final LongSupplier monotonicNanos;

    /**
     * @param monotonicNanos now on CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns (and so of
     *                       last_seen_ns); {@link System#nanoTime()} is that clock on Linux
     */
    public Sluice(Map<String, String> environment, LongSupplier monotonicNanos) {
        this.environment = environment;
        this.monotonicNanos = monotonicNanos;
    }

    public static void main(String[] args) {
        // The control jar carries the agent's logback.xml; the CLI logs nothing unless asked.
        System.setProperty("logback.configurationFile", "dev/sluice/cli/logback-cli.xml");
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(args, out, err, System.getenv(), System::nanoTime);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line; everything it prints goes to {@code out} and {@code err}. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment,
                              LongSupplier monotonicNanos) {
        return commandLine(out, err, environment, monotonicNanos).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err, Map<String, String> environment,
                                   LongSupplier monotonicNanos) {
        CommandLine commandLine = new CommandLine(new Sluice(environment, monotonicNanos));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((failure, command, parsed) -> {
            command.getErr().println("sluice: " + oneLine(failure));
            if ("1".equals(environment.get("SLUICE_DEBUG"))) {
                failure.printStackTrace(command.getErr());
            }
            return exitCode(failure);
        });
        commandLine.setParameterExceptionHandler((failure, args) -> {
            CommandLine command = failure.getCommandLine();
            command.getErr().println("sluice: " + failure.getMessage() + " (see '"
                    + command.getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.USAGE;
        });
        return commandLine;
    }

    private static String oneLine(Exception failure) {
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName()
                : failure.getMessage().lines().findFirst().orElse("");
        if (failure instanceof CliException || failure instanceof BpfException) {
            return message;
        }
        return "internal error: " + failure.getClass().getSimpleName() + ": " + message
                + " (SLUICE_DEBUG=1 prints the stack trace)";
    }

    private static int exitCode(Exception failure) {
        if (failure instanceof CliException cli) {
            return cli.exitCode();
        }
        if (failure instanceof MapLayoutException) {
            return ExitCodes.VERSION_MISMATCH;
        }
        return ExitCodes.FAILURE;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    Path bpffsRoot() {
        if (bpffsRoot != null) {
            return bpffsRoot;
        }
        String fromEnvironment = environment.get("SLUICE_BPFFS_ROOT");
        return Path.of(fromEnvironment == null || fromEnvironment.isBlank() ? DEFAULT_BPFFS_ROOT : fromEnvironment);
    }

    String agent() {
        if (agent != null) {
            return agent;
        }
        String fromEnvironment = environment.get("SLUICE_AGENT");
        return fromEnvironment == null || fromEnvironment.isBlank() ? DEFAULT_AGENT : fromEnvironment;
    }

    IpvsStateFile ipvsState() {
        if (ipvsRunDir != null) {
            return IpvsStateFile.in(ipvsRunDir);
        }
        String fromEnvironment = environment.get("SLUICE_IPVS_RUN_DIR");
        return IpvsStateFile.in(Path.of(fromEnvironment == null || fromEnvironment.isBlank() ? DEFAULT_IPVS_RUN_DIR
                : fromEnvironment));
    }

    /** The decision rule of the description above; --datapath overrides it. */
    boolean ipvsMode() {
        Datapath chosen = datapath == null ? Datapath.auto : datapath;
        return switch (chosen) {
            case ebpf -> false;
            case ipvs -> true;
            case auto -> ipvsState().exists();
        };
    }

    /** The sluice-owned virtual services the IPVS agent recorded; a bad file is a one-line error naming the field. */
    List<OwnedService> ipvsOwned() {
        IpvsStateFile state = ipvsState();
        if (!state.exists()) {
            throw new CliException(ExitCodes.NO_MAPS, "no IPVS state: " + state.path() + " does not exist "
                    + "(has the agent run with the IPVS datapath on this node? is --ipvs-run-dir or "
                    + "SLUICE_IPVS_RUN_DIR right?)");
        }
        try {
            return state.read();
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.FAILURE, e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            int code = e.getCause() instanceof java.nio.file.AccessDeniedException ? ExitCodes.PERMISSION
                    : ExitCodes.FAILURE;
            throw new CliException(code, e.getMessage(), e);
        }
    }

    /** The pinned eBPF maps; on an IPVS node a one-line error saying which commands work there. */
    PinnedMaps maps() {
        if (ipvsMode()) {
            throw new CliException(ExitCodes.NO_MAPS, "this node runs the IPVS datapath (" + ipvsState().path()
                    + " exists), which has no BPF maps: only services, backends and status work here "
                    + "(--datapath ebpf reads pinned maps anyway)");
        }
        return new PinnedMaps(bpffsRoot());
    }

    long nowNanos() {
        return monotonicNanos.getAsLong();
    }

    private static final ObjectWriter JSON = new ObjectMapper().writer(
            new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withArrayEmptySeparator("").withObjectEmptySeparator(""))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    static void printJson(PrintWriter out, Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
        out.flush();
    }

    /** The version of the jar, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Sluice.class.getPackage().getImplementationVersion();
            return new String[] {"sluice " + (version == null ? "development build" : version)};
        }
    }
}
