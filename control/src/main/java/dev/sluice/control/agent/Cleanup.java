package dev.sluice.control.agent;

import dev.sluice.ffm.BpfLink;
import dev.sluice.ffm.BpfProgram;
import dev.sluice.ffm.TcDirection;
import dev.sluice.ffm.sys.Interfaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --cleanup}: detaches every pinned link, removes sluice's clsact filters (kernels without
 * tcx) from every interface of the node and removes every pin, like kube-proxy --cleanup.
 */
final class Cleanup {
    private static final Logger LOG = LoggerFactory.getLogger(Cleanup.class);

    private Cleanup() {
    }

    static void run(Path root) throws IOException {
        Path links = root.resolve("links");
        for (Path pin : list(links)) {
            try (BpfLink link = BpfLink.openPinned(pin)) {
                link.detach();
            } catch (RuntimeException e) {
                LOG.warn("cannot detach {}: {}", pin, e.getMessage());
            }
            Files.deleteIfExists(pin);
        }
        for (Path device : list(NodeInterfaces.SYS_CLASS_NET)) {
            String name = device.getFileName().toString();
            if (!Files.isDirectory(device)) {
                continue;  // bonding_masters and the like are files, not devices
            }
            try {
                BpfProgram.detachTcClsact(Interfaces.index(name), TcDirection.INGRESS, TcAttachments.CLSACT_HANDLE,
                        TcAttachments.CLSACT_PRIORITY);
            } catch (RuntimeException e) {
                LOG.warn("cannot remove sluice's clsact filter from {}: {}", name, e.getMessage());
            }
        }
        for (Path pin : list(root.resolve("maps"))) {
            Files.deleteIfExists(pin);
        }
        Files.deleteIfExists(links);
        Files.deleteIfExists(root.resolve("maps"));
        LOG.info("removed sluice's links and maps under {}", root);
    }

    private static List<Path> list(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.toList();
        }
    }
}
