package dev.sluice.control.agent;

import dev.sluice.ffm.BpfException;
import dev.sluice.ffm.BpfLink;
import dev.sluice.ffm.BpfProgram;
import dev.sluice.ffm.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attachments that outlive the agent: every link is pinned, and a restarted agent finds the pin
 * and swaps its freshly loaded program into the existing link, which never detaches in between.
 * That is what keeps traffic flowing through a kill -9 and a restart.
 */
final class LinkPins {
    private static final Logger LOG = LoggerFactory.getLogger(LinkPins.class);

    private final Path directory;

    LinkPins(Path directory) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create link pin directory " + directory, e);
        }
    }

    /**
     * Makes {@code program} the one attached under {@code name}: updates the pinned link if there
     * is one, else attaches and pins. The returned link is only this process's reference.
     */
    BpfLink ensure(String name, BpfProgram program, Supplier<BpfLink> attach) {
        Path pin = directory.resolve(name);
        if (Files.exists(pin)) {
            try {
                BpfLink adopted = BpfLink.openPinned(pin);
                adopted.update(program);
                LOG.info("adopted pinned link {} and swapped in the new '{}'", pin, program.name());
                return adopted;
            } catch (BpfException stale) {
                // The device of a pinned link can vanish (a pod's veth); its pin then only holds a
                // defunct link, which is replaced.
                LOG.info("replacing pinned link {}: {}", pin, stale.getMessage());
                delete(pin);
            }
        }
        BpfLink link = attach.get();
        try {
            link.pin(pin);
        } catch (BpfException e) {
            if (e.errno() != Errno.EEXIST) {
                link.close();
                throw e;
            }
        }
        LOG.info("attached {} (pinned at {})", link.description(), pin);
        return link;
    }

    /**
     * Detaches what is pinned under {@code name}, if anything, and says whether it did: the pin
     * holds the link's last reference, so the kernel detaches it as the pin goes (soon after: the
     * kernel releases links from a work queue).
     */
    boolean detach(String name) {
        Path pin = directory.resolve(name);
        if (!Files.exists(pin)) {
            return false;
        }
        delete(pin);
        LOG.info("detached the link pinned at {}", pin);
        return true;
    }

    void delete(Path pin) {
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove pin " + pin, e);
        }
    }

    Path directory() {
        return directory;
    }
}
