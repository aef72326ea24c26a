package dev.sluice.control.migrate;

import dev.sluice.ffm.sys.Command;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps nf_conntrack and its NAT running in the node's network namespace while kube-proxy's rules
 * go, so connections opened through them keep their translation until they end (sluice's datapath
 * leaves their packets to the kernel). The kernel runs conntrack in a namespace only while some
 * rule needs it, and applies NAT to established connections only through registered NAT hooks:
 * removing kube-proxy's DNAT, MASQUERADE and ctstate rules, when nothing else (kubelet's
 * KUBE-FIREWALL, a CNI's masquerade) uses conntrack, would turn both off and reset those
 * connections. So before the first removal, the table {@code inet sluice-handoff} is added: empty
 * NAT base chains on every hook and one rule per NAT direction that counts the packets of
 * connections the kernel translates. It translates nothing; once its counters stop moving, the
 * connections of kube-proxy's time are gone and {@code nft delete table inet sluice-handoff}
 * removes it.
 */
final class ConntrackHandoff implements NodeTools {
    private static final Logger LOG = LoggerFactory.getLogger(ConntrackHandoff.class);
    static final String TABLE = "sluice-handoff";
    static final String SCRIPT = """
            table inet sluice-handoff {
            	chain nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }
            	chain nat-input { type nat hook input priority 100; policy accept; }
            	chain nat-output { type nat hook output priority -100; policy accept; }
            	chain nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }
            	chain kube-proxy-connections { type filter hook prerouting priority 0; policy accept; }
            }
            flush chain inet sluice-handoff kube-proxy-connections
            add rule inet sluice-handoff kube-proxy-connections ct status dnat counter comment "DNAT by kube-proxy's rules"
            add rule inet sluice-handoff kube-proxy-connections ct status snat counter comment "masqueraded by the kernel"
            """;

    private final NodeTools tools;
    private boolean installed;

    ConntrackHandoff(NodeTools tools) {
        this.tools = tools;
    }

    @Override
    public Command.Result run(List<String> command) {
        if (removes(command)) {
            install();
        }
        return tools.run(command);
    }

    /** Every input file the cleanup writes (iptables-restore, nft -f) removes something. */
    @Override
    public Command.Result runWithInputFile(String input, List<String> command) {
        install();
        return tools.runWithInputFile(input, command);
    }

    @Override
    public boolean installed(String binary) {
        return tools.installed(binary);
    }

    /**
     * No handoff for netlink: what the cleanup removes through it (IPVS services) is not netfilter
     * NAT, so removing it does not turn conntrack or its NAT hooks off.
     */
    @Override
    public <T> Optional<T> openNetlink(Callable<T> open) {
        return tools.openNetlink(open);
    }

    private static boolean removes(List<String> command) {
        return command.contains("delete") || command.contains("destroy");
    }

    private void install() {
        if (installed) {
            return;
        }
        installed = true;
        if (!tools.installed("nft")) {
            LOG.warn("nft is not on PATH: connections opened through kube-proxy may be reset if nothing else on this "
                    + "node keeps nf_conntrack running");
            return;
        }
        List<String> command = List.of("nft", "-f");
        Command.Result result = tools.runWithInputFile(SCRIPT, command);
        if (result.exitCode() != 0) {
            throw CleanupFailure.of(command, "nftables table inet " + TABLE,
                    "keep nf_conntrack running for the connections kube-proxy translated", result);
        }
        LOG.info("nftables: added table inet {} so that connections kube-proxy translated keep their NAT; "
                + "delete it once its counters stop moving", TABLE);
    }
}
