package dev.sluice.ffm;

import java.util.Objects;

/**
 * A failed BPF or libbpf operation. Carries the errno (0 when the failure was detected in Java
 * before any syscall), its symbolic name, and whatever libbpf logged while the operation ran,
 * which for a refused program includes the verifier's log.
 */
public class BpfException extends RuntimeException {
    private final int errno;
    private final String libbpfLog;

    public BpfException(String message) {
        this(message, 0, "");
    }

    public BpfException(String message, int errno) {
        this(message, errno, "");
    }

    public BpfException(String message, int errno, String libbpfLog) {
        super(compose(message, errno, libbpfLog));
        this.errno = Math.abs(errno);
        this.libbpfLog = Objects.requireNonNullElse(libbpfLog, "");
    }

    private static String compose(String message, int errno, String log) {
        StringBuilder text = new StringBuilder(message);
        if (errno != 0) {
            text.append(": ").append(Errno.describe(errno));
        }
        if (log != null && !log.isBlank()) {
            text.append("\nlibbpf log:\n").append(log.strip());
        }
        return text.toString();
    }

    /** The positive errno, or 0 when no syscall failed. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name such as {@code ENOENT}, or {@code ""} when there is none. */
    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }

    /** What libbpf logged during the failed operation (verifier log included), possibly empty. */
    public String libbpfLog() {
        return libbpfLog;
    }
}
