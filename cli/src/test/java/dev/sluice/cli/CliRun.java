package dev.sluice.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** One in-process run of the CLI: exit code and everything it printed. */
record CliRun(int exitCode, String out, String err) {
    /** The clock every test run reads: 1000 s after boot on CLOCK_MONOTONIC. */
    static final long NOW_NS = 1_000_000_000_000L;

    static CliRun of(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Sluice.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), environment,
                () -> NOW_NS);
        return new CliRun(code, out.toString(), err.toString());
    }

    static CliRun of(String... args) {
        return of(Map.of(), args);
    }
}
