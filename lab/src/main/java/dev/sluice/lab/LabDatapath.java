package dev.sluice.lab;

import java.util.Locale;

/** Which datapath the lab's agents run ({@code --datapath} of the agent and of the lab). */
enum LabDatapath {
    /** XDP and tc programs with pinned maps: what {@code sluice services --bpffs-root} reads. */
    EBPF,
    /** The kernel's IPVS with sluice's nftables table: no BPF at all, so nothing pinned to read. */
    IPVS;

    /** As the agent's {@code --datapath} spells it. */
    String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return flag();
    }
}
