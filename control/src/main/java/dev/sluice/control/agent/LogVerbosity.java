package dev.sluice.control.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** kube-proxy's -v levels on sluice's loggers: klog's 4+ is debug detail, 6+ is per-object tracing. */
final class LogVerbosity {
    private LogVerbosity() {
    }

    static void apply(int verbosity) {
        Level level = verbosity >= 6 ? Level.TRACE : verbosity >= 4 ? Level.DEBUG : Level.INFO;
        ((Logger) LoggerFactory.getLogger("dev.sluice")).setLevel(level);
    }
}
