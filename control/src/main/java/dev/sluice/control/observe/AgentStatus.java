package dev.sluice.control.observe;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code /statusz} reports, for operators and the {@code sluice status} command: which node,
 * which datapath and source, how far syncing got and what it refused.
 *
 * @param lastSync RFC 3339 time of the last completed sync, or null before the first
 * @param sourceRevision the source's revision of the snapshot that sync programmed (a manifest's
 *     SHA-256), null when the source names none: how a writer knows its change is in the datapath
 * @param datapathFallback why {@code --datapath auto} fell back to IPVS (the eBPF datapath's
 *     failure), null when it did not
 */
public record AgentStatus(String nodeName, String datapathMode, String source, boolean firstSyncDone,
                          String lastSync, long services, long backends, List<String> problems, String sourceRevision,
                          String datapathFallback) {

    /**
     * This status with the source's own current problems (an API server it cannot reach) ahead of
     * the rest: they are read at each request, not at the last sync, which may be long ago or not
     * yet, and they explain why nothing else changes.
     */
    public AgentStatus withSourceProblems(List<String> sourceProblems) {
        if (sourceProblems.isEmpty()) {
            return this;
        }
        List<String> all = new ArrayList<>(sourceProblems);
        all.addAll(problems);
        return new AgentStatus(nodeName, datapathMode, source, firstSyncDone, lastSync, services, backends, List.copyOf(all),
                sourceRevision, datapathFallback);
    }

    /** This status saying why the agent runs IPVS although eBPF was its first choice; null: it did not fall back. */
    public AgentStatus withDatapathFallback(String reason) {
        return new AgentStatus(nodeName, datapathMode, source, firstSyncDone, lastSync, services, backends, problems,
                sourceRevision, reason);
    }

    /** The datapath in use, "ebpf" or "ipvs", under the name operators look for; datapathMode stays for older CLIs. */
    @JsonProperty("datapath")
    public String datapath() {
        return datapathMode;
    }
}
