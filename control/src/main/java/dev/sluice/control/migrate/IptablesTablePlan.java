package dev.sluice.control.migrate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the cleanup removes from one iptables table: kube-proxy's chains, and the rules of builtin
 * chains that jump to them. A kube-proxy chain that some other user chain still jumps to stays
 * (with everything it reaches), since removing it would mean editing a chain that is not ours.
 */
record IptablesTablePlan(String table, List<String> chains, List<IptablesSave.Rule> jumps, Map<String, String> kept) {

    static IptablesTablePlan of(IptablesSave.Table table) {
        Set<String> remove = new LinkedHashSet<>();
        for (String chain : table.chains().keySet()) {
            if (!table.builtin(chain) && KubeProxyChains.owns(table.name(), chain)) {
                remove.add(chain);
            }
        }
        Map<String, String> kept = new LinkedHashMap<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (IptablesSave.Rule rule : table.rules()) {
                if (table.builtin(rule.chain()) || remove.contains(rule.chain()) || rule.target().isEmpty()) {
                    continue;
                }
                String target = rule.target().get();
                if (remove.remove(target)) {
                    kept.put(target, rule.chain());
                    changed = true;
                }
            }
        }
        List<IptablesSave.Rule> jumps = new ArrayList<>();
        for (IptablesSave.Rule rule : table.rules()) {
            if (table.builtin(rule.chain()) && rule.target().filter(remove::contains).isPresent()) {
                jumps.add(rule);
            }
        }
        return new IptablesTablePlan(table.name(), List.copyOf(remove), List.copyOf(jumps), kept);
    }

    boolean empty() {
        return chains.isEmpty() && jumps.isEmpty();
    }

    int rulesInChains(IptablesSave.Table table) {
        return (int) table.rules().stream().filter(rule -> chains.contains(rule.chain())).count();
    }

    /**
     * One {@code iptables-restore --noflush} input, applied as a single transaction: flush
     * kube-proxy's chains (a chain line does that to an existing chain), delete the jumps to them by
     * their exact saved text, then delete the chains.
     */
    String restoreInput() {
        StringBuilder input = new StringBuilder("*").append(table).append('\n');
        for (String chain : chains) {
            input.append(':').append(chain).append(" - [0:0]\n");
        }
        for (IptablesSave.Rule jump : jumps) {
            input.append("-D").append(jump.line().substring(2)).append('\n');
        }
        for (String chain : chains) {
            input.append("-X ").append(chain).append('\n');
        }
        return input.append("COMMIT\n").toString();
    }
}
