package dev.sluice.ffm.ipvs;

import java.util.EnumSet;
import java.util.Set;

/** Virtual service flags (IP_VS_SVC_F_*); the kernel-internal HASHED flag is never exposed. */
public enum IpvsServiceFlag {
    /** Clients stick to one destination for the persistence timeout. */
    PERSISTENT(0x0001),
    /** Each UDP datagram is scheduled on its own, without a connection entry. */
    ONE_PACKET(0x0004),
    /** Scheduler-specific; sh and mh read it as "fall back to another destination when one is unusable". */
    SCHED1(0x0008),
    /** Scheduler-specific; sh and mh read it as "hash the source port too". */
    SCHED2(0x0010),
    SCHED3(0x0020);

    private final int bit;

    IpvsServiceFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    static int bits(Set<IpvsServiceFlag> flags) {
        int bits = 0;
        for (IpvsServiceFlag flag : flags) {
            bits |= flag.bit;
        }
        return bits;
    }

    static Set<IpvsServiceFlag> of(int bits) {
        EnumSet<IpvsServiceFlag> flags = EnumSet.noneOf(IpvsServiceFlag.class);
        for (IpvsServiceFlag flag : values()) {
            if ((bits & flag.bit) != 0) {
                flags.add(flag);
            }
        }
        return flags;
    }
}
