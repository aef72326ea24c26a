package dev.sluice.control.agent;

import dev.sluice.control.model.NodeContext;
import io.fabric8.kubernetes.api.model.Node;
import java.util.List;
import java.util.function.Function;

/** This node's own settings in the datapath: written from its Node object, with their failed writes retried. */
interface NodeProgramming extends Function<Node, NodeContext>, WritePath {
    @Override
    default List<String> failures() {
        return List.of();
    }
}
