package dev.sluice.ffm.ipvs;

import dev.sluice.ffm.sys.Command;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the ip_vs module when IPVS is missing. The genetlink controller has already asked the
 * kernel's module helper for ip_vs's family alias by then, but silently; running modprobe here
 * retries it and, above all, yields a reason to put in the exception when it fails.
 */
final class IpvsModule {
    private static final Logger LOG = LoggerFactory.getLogger(IpvsModule.class);
    private static final String MODULE = "ip_vs";
    private static final Path MODPROBE_SETTING = Path.of("/proc/sys/kernel/modprobe");

    private IpvsModule() {
    }

    /** Tries to load ip_vs; returns null when modprobe succeeded, otherwise why it could not. */
    static String load() {
        String modprobe;
        try {
            modprobe = Files.readString(MODPROBE_SETTING).strip();
        } catch (NoSuchFileException e) {
            return "the kernel cannot load modules (" + MODPROBE_SETTING + " is missing), so " + MODULE
                    + " would have to be built in";
        } catch (IOException e) {
            LOG.debug("cannot read {}, trying modprobe from PATH", MODPROBE_SETTING, e);
            modprobe = "";
        }
        if (modprobe.isEmpty()) {
            modprobe = "modprobe";
        }
        Command.Result result;
        try {
            result = Command.execute(modprobe, MODULE);
        } catch (UncheckedIOException e) {
            return "loading module " + MODULE + " failed: cannot run " + modprobe + " (" + e.getCause().getMessage() + ")";
        }
        if (result.exitCode() != 0) {
            return "loading module " + MODULE + " failed: " + modprobe + " exited " + result.exitCode() + ": "
                    + result.stderr().strip();
        }
        LOG.info("loaded kernel module {} with {}", MODULE, modprobe);
        return null;
    }
}
