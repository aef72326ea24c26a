package dev.sluice.control.datapath;

import dev.sluice.ffm.BpfObject;
import dev.sluice.ffm.MapHandle;
import dev.sluice.ffm.MapInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pinned maps a new build cannot reuse: another layout (a struct that grew between releases) or
 * another capacity (a changed --max-* flag). The kernel refuses such a pin, and the agent would
 * not start at all; instead the pin is removed, loudly, and the map created afresh. The programs
 * still attached keep the old map until the new ones replace them. Service maps are written
 * again by the first sync; what only the datapath knew (connections, SNAT ports, affinity in
 * that map) starts over, which the warning says.
 */
final class PinnedMapUpgrade {
    private static final Logger LOG = LoggerFactory.getLogger(PinnedMapUpgrade.class);

    private PinnedMapUpgrade() {}

    static void replaceIncompatible(BpfObject object, Path pinDirectory) {
        for (String name : object.mapNames()) {
            Path pin = pinDirectory.resolve(name);
            if (name.startsWith(".") || !Files.exists(pin)) {
                continue;
            }
            MapInfo wanted = object.declared(name);
            MapInfo pinned;
            try (MapHandle handle = MapHandle.openPinned(pin)) {
                pinned = handle.info();
            }
            String difference = difference(pinned, wanted);
            if (difference != null) {
                LOG.warn("pinned map {} cannot be reused ({}): replacing it with an empty one; {}", name, difference,
                        name.startsWith("svc_") && !name.equals(DatapathMaps.AFFINITY) && !name.equals(DatapathMaps.TRAFFIC)
                                ? "the first sync programs it again"
                                : "what the datapath kept there (connections, SNAT ports, affinity, counters) starts over");
                try {
                    Files.delete(pin);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove incompatible pin " + pin, e);
                }
            }
        }
    }

    /** What keeps the kernel from reusing {@code pinned} for {@code wanted}; null when nothing. */
    static String difference(MapInfo pinned, MapInfo wanted) {
        if (pinned.type() != wanted.type()) {
            return "type " + pinned.type() + ", this build's " + wanted.type();
        }
        if (pinned.keySize() != wanted.keySize()) {
            return "key of " + pinned.keySize() + " bytes, this build's " + wanted.keySize();
        }
        if (pinned.valueSize() != wanted.valueSize()) {
            return "value of " + pinned.valueSize() + " bytes, this build's " + wanted.valueSize();
        }
        if (pinned.maxEntries() != wanted.maxEntries()) {
            return pinned.maxEntries() + " entries, now " + wanted.maxEntries();
        }
        if (pinned.flags() != wanted.flags()) {
            return "flags " + pinned.flags() + ", this build's " + wanted.flags();
        }
        return null;
    }
}
