package dev.sluice.ffm.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a system tool (ip, tc, mount) and fails loudly with its stderr when it fails. */
public final class Command {
    private static final long TIMEOUT_SECONDS = 60;

    private Command() {
    }

    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs the command and returns stdout; a non-zero exit is an exception naming the command. */
    public static String run(String... command) {
        Result result = execute(command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' exited "
                    + result.exitCode() + ": " + result.stderr().strip());
        }
        return result.stdout();
    }

    /** Runs the command and returns whatever happened, failure included. */
    public static Result execute(String... command) {
        ProcessBuilder builder = new ProcessBuilder(List.of(command));
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            var stdout = process.getInputStream();
            var stderr = process.getErrorStream();
            byte[][] err = new byte[1][];
            Thread errReader = Thread.ofVirtual().start(() -> {
                try {
                    err[0] = stderr.readAllBytes();
                } catch (IOException e) {
                    err[0] = e.toString().getBytes(StandardCharsets.UTF_8);
                }
            });
            byte[] out = stdout.readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", command) + "' timed out");
            }
            errReader.join();
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                    new String(err[0], StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run '" + String.join(" ", command) + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }
}
