package dev.sluice.control.datapath;

import dev.sluice.ffm.BpfObject;
import dev.sluice.ffm.BpfProgram;
import java.nio.file.Path;
import java.util.Map;

/**
 * The loaded datapath: XDP and tc programs for node interfaces and the tc program for pod veths,
 * from three objects whose maps are pinned under one bpffs directory. Loading again with the same
 * directory adopts the pinned maps and their contents, which is how a restarted agent keeps
 * connections alive.
 */
public final class Datapath implements AutoCloseable {
    public static final String XDP_NODE_OBJECT = "dev/sluice/bpf/xdp_node.bpf.o";
    public static final String TC_POD_OBJECT = "dev/sluice/bpf/tc_pod.bpf.o";
    public static final String TC_NODE_OBJECT = "dev/sluice/bpf/tc_node.bpf.o";
    public static final String XDP_NODE_PROGRAM = "xdp_node";
    public static final String TC_POD_PROGRAM = "tc_pod_ingress";
    public static final String TC_NODE_PROGRAM = "tc_node_ingress";

    private final BpfObject xdpNode;
    private final BpfObject tcPod;
    private final BpfObject tcNode;
    private final DatapathMaps maps;

    private Datapath(BpfObject xdpNode, BpfObject tcPod, BpfObject tcNode) {
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
        java.util.List<BpfObject> loaded = new java.util.ArrayList<>();
        try {
            for (String object : java.util.List.of(XDP_NODE_OBJECT, TC_POD_OBJECT, TC_NODE_OBJECT)) {
                loaded.add(open(object, mapPinDirectory, maxEntries).load());
            }
            return new Datapath(loaded.get(0), loaded.get(1), loaded.get(2));
        } catch (RuntimeException failure) {
            loaded.forEach(BpfObject::close);
            throw failure;
        }
    }

    private static BpfObject open(String resource, Path mapPinDirectory, Map<String, Integer> maxEntries) {
        BpfObject object = BpfObject.openResource(resource).pinMapsUnder(mapPinDirectory);
        maxEntries.forEach(object::maxEntries);
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

    public DatapathMaps maps() {
        return maps;
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
