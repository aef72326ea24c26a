package dev.sluice.control.agent;

import dev.sluice.ffm.BpfLink;
import dev.sluice.ffm.BpfProgram;
import dev.sluice.ffm.sys.Interfaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps tc_pod_ingress attached to every pod-facing interface. Pods come and go, so the agent
 * rescans the node's interfaces; a pattern is an interface name, or a prefix ending in '*'.
 */
final class PodInterfaces implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodInterfaces.class);
    private static final Path SYS_CLASS_NET = Path.of("/sys/class/net");

    private final List<String> patterns;
    private final BpfProgram program;
    private final TcAttachments tc;
    private final Map<String, BpfLink> attached = new HashMap<>();

    PodInterfaces(List<String> patterns, BpfProgram program, TcAttachments tc) {
        this.patterns = List.copyOf(patterns);
        this.program = program;
        this.tc = tc;
    }

    static boolean matches(String pattern, String name) {
        return pattern.endsWith("*") ? name.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(name);
    }

    /** Attaches to new matching interfaces and forgets vanished ones; returns how many are attached. */
    synchronized int rescan() {
        List<String> present;
        try (Stream<Path> entries = Files.list(SYS_CLASS_NET)) {
            present = entries.map(p -> p.getFileName().toString())
                    .filter(name -> patterns.stream().anyMatch(pattern -> matches(pattern, name))).toList();
        } catch (IOException e) {
            LOG.warn("cannot list network interfaces: {}", e.toString());
            return attached.size();
        }
        for (String name : present) {
            if (!attached.containsKey(name)) {
                try {
                    int ifindex = Interfaces.index(name);
                    attached.put(name, tc.ensureIngress("tc-pod-" + name, program, ifindex));
                } catch (RuntimeException e) {
                    LOG.warn("cannot attach to pod interface {}: {}", name, e.getMessage());
                }
            }
        }
        attached.keySet().removeIf(name -> {
            if (present.contains(name)) {
                return false;
            }
            attached.get(name).close();
            tc.forget("tc-pod-" + name);
            LOG.info("pod interface {} is gone", name);
            return true;
        });
        return attached.size();
    }

    @Override
    public synchronized void close() {
        // Only this process's references: the pinned links keep the programs attached.
        attached.values().forEach(BpfLink::close);
        attached.clear();
    }
}
