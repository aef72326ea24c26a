package dev.sluice.ffm;

import dev.sluice.ffm.jextract.SluiceNative;

/** The {@code flags} of a map update. */
public enum UpdateMode {
    /** Create the entry or overwrite it. */
    ANY(SluiceNative.BPF_ANY()),
    /** Create only; an existing key is an error (EEXIST). */
    NO_EXIST(SluiceNative.BPF_NOEXIST()),
    /** Overwrite only; a missing key is an error (ENOENT). */
    EXIST(SluiceNative.BPF_EXIST());

    private final long flags;

    UpdateMode(long flags) {
        this.flags = flags;
    }

    public long flags() {
        return flags;
    }
}
