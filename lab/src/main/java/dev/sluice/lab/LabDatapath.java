package dev.sluice.lab;

import java.util.List;
import java.util.Locale;

/** Which datapath the lab's agents run ({@code --datapath} of the agent and of the lab). */
enum LabDatapath {
    /** XDP and tc programs with pinned maps: what {@code sluice services --bpffs-root} reads. */
    EBPF,
    /** The kernel's IPVS with sluice's nftables table: no BPF at all, so nothing pinned to read. */
    IPVS,
    /**
     * {@code --datapath auto} on an agent that cannot load BPF (CAP_BPF, CAP_SYS_ADMIN and
     * CAP_PERFMON out of its bounding set, as on a locked-down node): auto must fall back to IPVS.
     */
    IPVS_FALLBACK;

    /** As the agent's {@code --datapath} spells it. */
    String flag() {
        return this == IPVS_FALLBACK ? "auto" : name().toLowerCase(Locale.ROOT);
    }

    /** What the agent's command runs under, before java: nothing, or the capability drop. */
    List<String> confinement() {
        return this == IPVS_FALLBACK ? List.of("setpriv", "--bounding-set", "-bpf,-sys_admin,-perfmon", "--")
                : List.of();
    }

    @Override
    public String toString() {
        return flag();
    }
}
