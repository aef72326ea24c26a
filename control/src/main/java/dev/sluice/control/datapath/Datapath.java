package dev.sluice.control.datapath;

import dev.sluice.ffm.BpfObject;
import dev.sluice.ffm.BpfProgram;
import dev.sluice.ffm.MapHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded datapath: XDP and tc programs for node interfaces and the tc program for pod veths,
 * from three objects whose maps are pinned under one bpffs directory. Loading again with the same
 * directory adopts the pinned maps and their contents, which is how a restarted agent keeps
 * connections alive.
 */
public final class Datapath implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Datapath.class);
    public static final String XDP_NODE_OBJECT = "dev/sluice/bpf/xdp_node.bpf.o";
    public static final String TC_POD_OBJECT = "dev/sluice/bpf/tc_pod.bpf.o";
    public static final String TC_NODE_OBJECT = "dev/sluice/bpf/tc_node.bpf.o";
    /** The same programs built to leave connections the kernel NATed to nf_conntrack (bpf/lib/kernel_ct.h). */
    static final List<String> KERNEL_CT_OBJECTS = List.of("dev/sluice/bpf/xdp_node.kernel_ct.bpf.o",
            "dev/sluice/bpf/tc_pod.kernel_ct.bpf.o", "dev/sluice/bpf/tc_node.kernel_ct.bpf.o");
    static final List<String> PLAIN_OBJECTS = List.of(XDP_NODE_OBJECT, TC_POD_OBJECT, TC_NODE_OBJECT);
    public static final String XDP_NODE_PROGRAM = "xdp_node";
    public static final String TC_POD_PROGRAM = "tc_pod_ingress";
    public static final String TC_NODE_PROGRAM = "tc_node_ingress";

    private final BpfObject xdpNode;
    private final BpfObject tcPod;
    private final BpfObject tcNode;
    private final DatapathMaps maps;
    private final boolean kernelConntrack;

    private Datapath(BpfObject xdpNode, BpfObject tcPod, BpfObject tcNode, boolean kernelConntrack) {
        this.kernelConntrack = kernelConntrack;
        this.xdpNode = xdpNode;
        this.tcPod = tcPod;
        this.tcNode = tcNode;
        this.maps = new DatapathMaps(xdpNode);
    }

    /** Loads both objects with their maps pinned (or adopted) under {@code mapPinDirectory}. */
    public static Datapath load(Path mapPinDirectory) {
        return load(mapPinDirectory, Map.of());
    }

    /**
     * As {@link #load(Path)}, with maps resized from their compiled defaults ({@code map name ->
     * max entries}). Both objects get the same sizes, since they share the pinned maps.
     */
    public static Datapath load(Path mapPinDirectory, Map<String, Integer> maxEntries) {
        try {
            Datapath datapath = load(KERNEL_CT_OBJECTS, mapPinDirectory, maxEntries, true);
            LOG.info("datapath loaded; connections the kernel NATed before sluice (kube-proxy's) stay with nf_conntrack");
            return datapath;
        } catch (RuntimeException withoutKfuncs) {
            LOG.warn("nf_conntrack's BPF kfuncs are not available ({}): connections the kernel NATed before sluice "
                    + "took over are picked up by sluice, and may change backend", withoutKfuncs.getMessage());
            try {
                return load(PLAIN_OBJECTS, mapPinDirectory, maxEntries, false);
            } catch (RuntimeException failure) {
                failure.addSuppressed(withoutKfuncs);
                throw failure;
            }
        }
    }

    private static Datapath load(List<String> objects, Path mapPinDirectory, Map<String, Integer> maxEntries,
                                 boolean kernelConntrack) {
        List<BpfObject> loaded = new ArrayList<>();
        try {
            for (String object : objects) {
                loaded.add(open(object, mapPinDirectory, maxEntries).load());
            }
            return new Datapath(loaded.get(0), loaded.get(1), loaded.get(2), kernelConntrack);
        } catch (RuntimeException failure) {
            loaded.forEach(BpfObject::close);
            throw failure;
        }
    }

    private static BpfObject open(String resource, Path mapPinDirectory, Map<String, Integer> maxEntries) {
        BpfObject object = BpfObject.openResource(resource).pinMapsUnder(mapPinDirectory);
        maxEntries.forEach(object::maxEntries);
        PinnedMapUpgrade.replaceIncompatible(object, mapPinDirectory);
        return object;
    }

    public BpfProgram xdpNode() {
        return xdpNode.program(XDP_NODE_PROGRAM);
    }

    public BpfProgram tcPod() {
        return tcPod.program(TC_POD_PROGRAM);
    }

    public BpfProgram tcNode() {
        return tcNode.program(TC_NODE_PROGRAM);
    }

    /** Whether connections nf_conntrack NATed (before sluice) are left to it: nf_conntrack's kfuncs loaded. */
    public boolean leavesKernelConnectionsToTheKernel() {
        return kernelConntrack;
    }

    public DatapathMaps maps() {
        return maps;
    }

    /**
     * Every map the three objects use, a shared (pinned) one once, in the order the objects
     * declare them: for code that must reach all of the datapath's state, whatever maps it has.
     */
    Collection<MapHandle> allMaps() {
        Map<Integer, MapHandle> byId = new LinkedHashMap<>();
        for (BpfObject object : List.of(xdpNode, tcPod, tcNode)) {
            for (String name : object.mapNames()) {
                MapHandle handle = object.mapHandle(name);
                byId.putIfAbsent(handle.info().id(), handle);
            }
        }
        return byId.values();
    }

    @Override
    public void close() {
        try {
            tcNode.close();
            tcPod.close();
        } finally {
            xdpNode.close();
        }
    }
}
