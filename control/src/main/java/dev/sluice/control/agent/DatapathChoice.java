package dev.sluice.control.agent;

import java.util.Locale;

/** {@code --datapath}: which datapath the agent programs. */
enum DatapathChoice {
    /** eBPF when its programs load and attach, else IPVS. */
    AUTO,
    EBPF,
    /** Never touches BPF. */
    IPVS;

    static DatapathChoice parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("--datapath: '" + text + "' is none of auto, ebpf, ipvs");
        }
    }
}
