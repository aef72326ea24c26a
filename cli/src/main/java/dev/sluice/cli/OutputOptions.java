package dev.sluice.cli;

import picocli.CommandLine.Option;

/** {@code -o/--output}: every command prints a table by default and JSON on request. */
public final class OutputOptions {
    public enum Format { table, json }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format = Format.table;

    public boolean json() {
        return format == Format.json;
    }
}
