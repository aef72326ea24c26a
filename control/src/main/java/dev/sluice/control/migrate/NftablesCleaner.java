package dev.sluice.control.migrate;

import dev.sluice.ffm.sys.Command;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the tables of kube-proxy's nftables mode: {@code ip kube-proxy} and {@code ip6 kube-proxy}.
 * kube-proxy keeps everything of that mode inside them (its base chains hook in from there), so
 * deleting the tables is the whole cleanup; any other table, even a similarly named one, stays.
 */
final class NftablesCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(NftablesCleaner.class);
    static final String TABLE = "kube-proxy";
    private static final List<String> FAMILIES = List.of("ip", "ip6");

    private final NodeTools tools;

    NftablesCleaner(NodeTools tools) {
        this.tools = tools;
    }

    /** Returns the number of tables removed. */
    int clean() {
        if (!tools.installed("nft")) {
            LOG.info("nftables: nft is not on PATH, skipping kube-proxy's nftables tables");
            return 0;
        }
        List<String> list = List.of("nft", "list", "tables");
        Command.Result listed = tools.run(list);
        if (listed.exitCode() != 0) {
            throw CleanupFailure.of(list, "nftables, all families", "list the tables", listed);
        }
        List<String> present = new ArrayList<>();
        for (String line : listed.stdout().split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length == 3 && words[0].equals("table") && FAMILIES.contains(words[1]) && words[2].equals(TABLE)) {
                present.add(words[1]);
            }
        }
        if (present.isEmpty()) {
            LOG.info("nftables: no kube-proxy tables found");
            return 0;
        }
        StringBuilder script = new StringBuilder();
        List<String> described = new ArrayList<>();
        for (String family : present) {
            described.add(family + " " + TABLE + " (" + contents(family) + ")");
            script.append("delete table ").append(family).append(' ').append(TABLE).append('\n');
        }
        // One nft transaction for both families: both go, or neither.
        List<String> delete = List.of("nft", "-f");
        Command.Result result = tools.runWithInputFile(script.toString(), delete);
        if (result.exitCode() != 0) {
            throw CleanupFailure.of(delete, "nftables tables " + String.join(", ", described), "delete the tables", result);
        }
        LOG.info("nftables: removed tables {}", String.join(", ", described));
        return present.size();
    }

    /** What the table holds, for the log: counts of chains, sets and maps. */
    private String contents(String family) {
        List<String> list = List.of("nft", "list", "table", family, TABLE);
        Command.Result listed = tools.run(list);
        if (listed.exitCode() != 0) {
            throw CleanupFailure.of(list, "nftables table " + family + " " + TABLE, "list the table", listed);
        }
        int chains = 0;
        int sets = 0;
        int maps = 0;
        for (String line : listed.stdout().split("\n")) {
            String word = line.strip().split("\\s+")[0];
            switch (word) {
                case "chain" -> chains++;
                case "set" -> sets++;
                case "map" -> maps++;
                default -> {
                }
            }
        }
        return chains + " chains, " + sets + " sets, " + maps + " maps";
    }
}
