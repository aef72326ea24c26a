package dev.sluice.ffm;

/**
 * Output of a {@code BPF_PROG_RUN}: the program's return value, the packet as it left the program,
 * the output context if one was passed in, and the kernel's mean time per repetition.
 */
public record TestRunResult(int returnValue, byte[] dataOut, byte[] contextOut, long averageNanos,
                            int repeat) {
}
