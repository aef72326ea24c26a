package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;

/** Where an XDP program runs. */
public enum XdpMode {
    /** In the driver, before an skb exists (veth, most physical NICs). */
    NATIVE(SluiceNative.XDP_FLAGS_DRV_MODE()),
    /** After the skb is built; works on any device, slower. */
    GENERIC(SluiceNative.XDP_FLAGS_SKB_MODE()),
    /** Let the kernel choose: native when the driver supports it. */
    AUTO(0);

    private final int flags;

    XdpMode(int flags) {
        this.flags = flags;
    }

    int flags() {
        return flags;
    }
}
