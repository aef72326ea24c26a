package dev.sluice.control.migrate;

import dev.sluice.ffm.sys.Command;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The system tools the kube-proxy cleanup runs (iptables-save, nft, ip, ipset). An interface so
 * tests can aim it at a network namespace or replace the tools with fakes that fail on cue.
 */
public interface NodeTools {

    /** Runs a tool and returns whatever happened, failure included. */
    Command.Result run(List<String> command);

    /** Runs a tool with {@code input} written to a file whose path is appended as the last argument. */
    Command.Result runWithInputFile(String input, List<String> command);

    /** Whether {@code binary} is on PATH. */
    boolean installed(String binary);

    /**
     * Runs {@code open} in the network namespace the tools work in and returns what it opened:
     * netlink sockets (IPVS, rtnetlink) stay in the namespace they were opened in, whichever thread
     * uses them afterwards. Empty for tools that are not a real node's (test fakes): the cleanup
     * must never reach the netlink of the namespace the test happens to run in, so it then leaves
     * IPVS services alone.
     */
    default <T> Optional<T> openNetlink(Callable<T> open) {
        return Optional.empty();
    }

    /** This node's own tools, in the agent's network namespace. */
    static NodeTools local() {
        return new ProcessTools(null);
    }

    /**
     * The tools run through {@code ip netns exec <namespace>}: a child process gets the namespace
     * from the command line rather than from whichever thread happened to fork it.
     */
    static NodeTools inNamespace(String namespace) {
        return new ProcessTools(namespace);
    }
}
