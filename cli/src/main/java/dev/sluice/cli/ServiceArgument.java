package dev.sluice.cli;

/**
 * A {@code --service} argument naming a Service: {@code namespace/name}, or {@code
 * namespace/name:port} with a port name or number ({@code port} null when absent).
 */
record ServiceArgument(String namespace, String name, String port) {
    /** Parses {@code text}; a text without a namespace is refused with {@code refusal}. */
    static ServiceArgument parse(String text, String refusal) {
        String stripped = text.strip();
        int slash = stripped.indexOf('/');
        if (slash <= 0) {
            throw new CliException(ExitCodes.USAGE, refusal);
        }
        String rest = stripped.substring(slash + 1);
        int colon = rest.indexOf(':');
        return new ServiceArgument(stripped.substring(0, slash), colon < 0 ? rest : rest.substring(0, colon),
                colon < 0 ? null : rest.substring(colon + 1));
    }
}
