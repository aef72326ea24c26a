package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;
import dev.sluice.ffm.jextract.libbpf_print_fn_t;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes libbpf's printf-style log to SLF4J (logger {@code libbpf}) and lets one operation collect
 * what libbpf said while it ran, so a failed load can carry the verifier log in its exception.
 * libbpf calls back on the thread that made the call, which is what makes a thread-local capture
 * exact.
 */
public final class LibbpfLog {
    private static final Logger LOG = LoggerFactory.getLogger("libbpf");
    private static final ThreadLocal<StringBuilder> CAPTURE = new ThreadLocal<>();
    // x86-64 System V: va_list is a pointer to one 24-byte __va_list_tag; copying it is va_copy.
    private static final long VA_LIST_TAG_SIZE = 24;
    private static final boolean VA_COPY_BY_STRUCT = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    private static final int FALLBACK_BUFFER = 64 * 1024;

    static {
        MemorySegment callback = libbpf_print_fn_t.allocate(LibbpfLog::print, Arena.global());
        SluiceNative.libbpf_set_print(callback);
    }

    private LibbpfLog() {
    }

    /** Installs the callback; every entry point of this package calls it first. */
    public static void install() {
        // Class initialisation does the work exactly once.
    }

    /** What an operation returned together with everything libbpf logged while it ran. */
    public record Captured<T>(T value, String log) {
    }

    /** Runs {@code operation} and collects libbpf's log lines emitted on this thread meanwhile. */
    public static <T> Captured<T> capture(Supplier<T> operation) {
        install();
        StringBuilder outer = CAPTURE.get();
        StringBuilder mine = new StringBuilder();
        CAPTURE.set(mine);
        try {
            T value = operation.get();
            return new Captured<>(value, mine.toString());
        } finally {
            if (outer != null) {
                outer.append(mine);
                CAPTURE.set(outer);
            } else {
                CAPTURE.remove();
            }
        }
    }

    private static int print(int level, MemorySegment format, MemorySegment args) {
        // An exception escaping an upcall kills the JVM, so nothing may leave this method.
        try {
            StringBuilder capture = CAPTURE.get();
            boolean logged = enabled(level);
            if (capture == null && !logged) {
                return 0;
            }
            String text = format(format, args);
            if (capture != null) {
                capture.append(text);
            }
            if (logged) {
                // The logger is already called libbpf; its own prefix would say it twice.
                String line = text.startsWith("libbpf: ") ? text.substring(8).stripTrailing() : text.stripTrailing();
                if (level == SluiceNative.LIBBPF_WARN()) {
                    LOG.warn("{}", line);
                } else if (level == SluiceNative.LIBBPF_INFO()) {
                    LOG.info("{}", line);
                } else {
                    LOG.debug("{}", line);
                }
            }
        } catch (Throwable failure) {
            try {
                LOG.error("could not format a libbpf log line", failure);
            } catch (Throwable ignored) {
                // Logging itself failed; dropping one libbpf line is the lesser harm.
            }
        }
        return 0;
    }

    private static boolean enabled(int level) {
        if (level == SluiceNative.LIBBPF_WARN()) {
            return LOG.isWarnEnabled();
        }
        if (level == SluiceNative.LIBBPF_INFO()) {
            return LOG.isInfoEnabled();
        }
        return LOG.isDebugEnabled();
    }

    private static String format(MemorySegment format, MemorySegment args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fmt = format.reinterpret(Long.MAX_VALUE);
            if (VA_COPY_BY_STRUCT) {
                // Measure on a copy of the va_list, then format for real: the verifier log can be
                // megabytes long and must not be cut.
                MemorySegment copy = arena.allocate(VA_LIST_TAG_SIZE, 16);
                copy.copyFrom(args.reinterpret(VA_LIST_TAG_SIZE));
                int length = SluiceNative.vsnprintf(MemorySegment.NULL, 0, fmt, copy);
                if (length < 0) {
                    return "";
                }
                MemorySegment buffer = arena.allocate(length + 1L);
                SluiceNative.vsnprintf(buffer, buffer.byteSize(), fmt, args);
                return buffer.getString(0);
            }
            MemorySegment buffer = arena.allocate(FALLBACK_BUFFER);
            SluiceNative.vsnprintf(buffer, buffer.byteSize(), fmt, args);
            return buffer.getString(0);
        }
    }
}
