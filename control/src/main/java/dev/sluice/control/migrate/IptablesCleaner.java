package dev.sluice.control.migrate;

import dev.sluice.ffm.sys.Command;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes kube-proxy's iptables chains, and the jumps to them, from IPv4 and IPv6 through both the
 * nft and the legacy backend: a node may have either (or leftovers in both after a switch), and
 * each backend only sees its own rules. One {@code -restore --noflush} per table, so a table is
 * either cleaned whole or left as it was.
 */
final class IptablesCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(IptablesCleaner.class);

    /** One way to reach the kernel's rules: {@code iptables} or {@code ip6tables}, {@code nft} or {@code legacy}. */
    record Backend(String family, String variant) {
        String name() {
            return family + "-" + variant;
        }

        String save() {
            return name() + "-save";
        }

        String restore() {
            return name() + "-restore";
        }
    }

    static final List<Backend> BACKENDS = List.of(new Backend("iptables", "nft"), new Backend("ip6tables", "nft"),
            new Backend("iptables", "legacy"), new Backend("ip6tables", "legacy"));

    private final NodeTools tools;

    IptablesCleaner(NodeTools tools) {
        this.tools = tools;
    }

    /** Cleans every backend whose tools are installed; returns the number of chains removed. */
    int cleanAll() {
        int removed = 0;
        for (Backend backend : BACKENDS) {
            removed += clean(backend);
        }
        return removed;
    }

    int clean(Backend backend) {
        if (!tools.installed(backend.save()) || !tools.installed(backend.restore())) {
            LOG.info("{}: {} or {} is not on PATH, skipping this backend", backend.name(), backend.save(), backend.restore());
            return 0;
        }
        List<String> save = List.of(backend.save());
        Command.Result saved = tools.run(save);
        if (saved.exitCode() != 0) {
            if (saved.stderr().contains("_tables_names")) {
                // iptables-legacy-save on a kernel whose ip(6)_tables is not loaded: no legacy rules at all.
                LOG.info("{}: the kernel has no {} tables loaded, nothing to remove", backend.name(), backend.variant());
                return 0;
            }
            throw CleanupFailure.of(save, backend.name() + ", all tables", "list the rules", saved);
        }
        IptablesSave parsed;
        try {
            parsed = IptablesSave.parse(saved.stdout());
        } catch (IllegalArgumentException e) {
            throw new CleanupFailure(backend.save() + " printed something that is not iptables-save format: " + e.getMessage());
        }
        for (String table : parsed.incompatible()) {
            LOG.warn("{}: table {} was written by nft, not iptables; leaving it alone", backend.name(), table);
        }
        int removed = 0;
        for (IptablesSave.Table table : parsed.tables()) {
            removed += clean(backend, table);
        }
        if (removed == 0) {
            LOG.info("{}: no kube-proxy chains found", backend.name());
        }
        return removed;
    }

    private int clean(Backend backend, IptablesSave.Table table) {
        IptablesTablePlan plan = IptablesTablePlan.of(table);
        plan.kept().forEach((chain, user) -> LOG.warn("{} {}: keeping kube-proxy's chain {}: chain {} still jumps to it",
                backend.name(), table.name(), chain, user));
        if (plan.empty()) {
            return 0;
        }
        List<String> restore = List.of(backend.restore(), "--noflush", "-w", "5");
        Command.Result result = tools.runWithInputFile(plan.restoreInput(), restore);
        if (result.exitCode() != 0) {
            throw CleanupFailure.of(restore, backend.name() + " table " + table.name(),
                    "remove " + plan.chains().size() + " kube-proxy chains and " + plan.jumps().size() + " jumps to them",
                    result);
        }
        LOG.info("{} {}: removed {} kube-proxy chains holding {} rules, and {} jumps to them from builtin chains",
                backend.name(), table.name(), plan.chains().size(), plan.rulesInChains(table), plan.jumps().size());
        return plan.chains().size();
    }
}
