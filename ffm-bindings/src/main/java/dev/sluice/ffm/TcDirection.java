package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;

/** Which way through a device a tc program sees packets. */
public enum TcDirection {
    INGRESS(TcDirection.BPF_TCX_INGRESS, SluiceNative.BPF_TC_INGRESS()),
    EGRESS(TcDirection.BPF_TCX_EGRESS, SluiceNative.BPF_TC_EGRESS());

    // enum bpf_attach_type values from Linux 6.6; Debian 12's uapi headers predate them.
    private static final int BPF_TCX_INGRESS = 46;
    private static final int BPF_TCX_EGRESS = 47;

    private final int tcxAttachType;
    private final int clsactAttachPoint;

    TcDirection(int tcxAttachType, int clsactAttachPoint) {
        this.tcxAttachType = tcxAttachType;
        this.clsactAttachPoint = clsactAttachPoint;
    }

    int tcxAttachType() {
        return tcxAttachType;
    }

    int clsactAttachPoint() {
        return clsactAttachPoint;
    }
}
