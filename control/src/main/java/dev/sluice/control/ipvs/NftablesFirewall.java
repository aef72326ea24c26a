package dev.sluice.control.ipvs;

import dev.sluice.control.model.Cidr;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link IpvsFirewall} as sluice's nftables table, replaced whole by {@code nft -f -} on every change. */
public final class NftablesFirewall implements IpvsFirewall {
    private static final Logger LOG = LoggerFactory.getLogger(NftablesFirewall.class);
    private static final long TIMEOUT_SECONDS = 30;

    private final List<String> prefix;
    private final boolean masqueradeAll;
    private final List<Cidr> clusterCidrs;

    /** @param prefix what nft runs behind, e.g. {@code ip netns exec NS} in tests; empty in production */
    public NftablesFirewall(List<String> prefix, boolean masqueradeAll, List<Cidr> clusterCidrs) {
        this.prefix = List.copyOf(prefix);
        this.masqueradeAll = masqueradeAll;
        this.clusterCidrs = List.copyOf(clusterCidrs);
    }

    @Override
    public void apply(FirewallPlan plan) {
        run(NftablesRules.render(plan, masqueradeAll, clusterCidrs), false);
        LOG.debug("nftables table inet {} written: {} frontends", NftablesRules.TABLE, plan.frontends().size());
    }

    /** Removes the table; nothing happens when there is none. */
    public void delete() {
        run(NftablesRules.delete(), false);
    }

    /** Parses and checks a script without applying it ({@code nft -c}). */
    public void check(String script) {
        run(script, true);
    }

    private void run(String script, boolean checkOnly) {
        List<String> command = new ArrayList<>(prefix);
        command.add("nft");
        if (checkOnly) {
            command.add("-c");
        }
        command.addAll(List.of("-f", "-"));
        String what = "nft table inet " + NftablesRules.TABLE + (checkOnly ? " (check)" : "");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException(what + ": cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        try {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(script.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(what + ": nft did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(what + ": nft exited with " + process.exitValue() + ": " + output);
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new IllegalStateException(what + ": talking to nft failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        }
    }
}
