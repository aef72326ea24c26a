package dev.sluice.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;

/** Java mirror of {@code struct rx_counter} in bpf/progs/xdp_rx_counter.c. */
record RxCounter(long packets, long bytes) {
    static final int IPV4 = 0;
    static final int IPV6 = 1;
    static final int ARP = 2;
    static final int OTHER = 3;

    static final MapCodec<RxCounter> CODEC = MapCodec.of(
            MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("packets"), ValueLayout.JAVA_LONG.withName("bytes")),
            (c, s) -> {
                s.set(ValueLayout.JAVA_LONG, 0, c.packets());
                s.set(ValueLayout.JAVA_LONG, 8, c.bytes());
            },
            s -> new RxCounter(s.get(ValueLayout.JAVA_LONG, 0), s.get(ValueLayout.JAVA_LONG, 8)));

    static RxCounter sum(PerCpuBpfMap<Integer, RxCounter> map, int rxClass) {
        return map.lookup(rxClass).orElseThrow().stream()
                .reduce(new RxCounter(0, 0), (a, b) -> new RxCounter(a.packets + b.packets, a.bytes + b.bytes));
    }
}
