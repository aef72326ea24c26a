package dev.sluice.control.observe;

import java.util.List;

/**
 * What {@code /statusz} reports, for operators and the {@code sluice status} command: which node,
 * which datapath and source, how far syncing got and what it refused.
 *
 * @param lastSync RFC 3339 time of the last completed sync, or null before the first
 */
public record AgentStatus(String nodeName, String datapathMode, String source, boolean firstSyncDone,
                          String lastSync, long services, long backends, List<String> problems) {
}
