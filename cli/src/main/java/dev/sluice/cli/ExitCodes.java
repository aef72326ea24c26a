package dev.sluice.cli;

/** What {@code sluice} exits with; listed in {@code sluice --help}. */
public final class ExitCodes {
    public static final int OK = 0;
    /** The command ran but found a problem: agent unhealthy or not ready, an internal error. */
    public static final int FAILURE = 1;
    /** Wrong arguments (picocli's own code). */
    public static final int USAGE = 2;
    /** No pinned maps where they were looked for. */
    public static final int NO_MAPS = 3;
    /** The maps are there but the caller may not open them. */
    public static final int PERMISSION = 4;
    /** A map on disk has another layout than this CLI knows: CLI and agent versions differ. */
    public static final int VERSION_MISMATCH = 5;
    /** The agent's HTTP endpoint cannot be reached. */
    public static final int AGENT_UNREACHABLE = 6;
    /** A service argument names nothing, or more than one service where one is needed. */
    public static final int NOT_FOUND = 7;

    static final String[] HELP = {
        "@|bold 0|@:OK",
        "@|bold 1|@:failure (agent unhealthy or not ready, internal error)",
        "@|bold 2|@:usage error",
        "@|bold 3|@:no pinned maps (agent never ran, wrong --bpffs-root)",
        "@|bold 4|@:permission denied (run as root)",
        "@|bold 5|@:map layout differs from this CLI (versions differ)",
        "@|bold 6|@:agent not reachable",
        "@|bold 7|@:no such service, or an ambiguous one",
    };

    private ExitCodes() {
    }
}
