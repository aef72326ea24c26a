package dev.sluice.cli;

/**
 * A failure the user can act on: printed as one line on stderr, no stack trace, with its own exit
 * code (see {@link ExitCodes}).
 */
public final class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
