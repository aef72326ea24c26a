package dev.sluice.control.lab;

import dev.sluice.ffm.MapCodec;
import dev.sluice.ffm.PerCpuBpfMap;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.util.List;

/** Java mirror of {@code struct rx_counter} and {@code enum rx_class} in xdp_rx_counter.c. */
record RxClassCounter(long packets, long bytes) {
    static final List<String> CLASSES = List.of("ipv4", "ipv6", "arp", "other");

    static final MapCodec<RxClassCounter> CODEC = MapCodec.of(
            MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("packets"), ValueLayout.JAVA_LONG.withName("bytes")),
            (c, s) -> {
                s.set(ValueLayout.JAVA_LONG, 0, c.packets());
                s.set(ValueLayout.JAVA_LONG, 8, c.bytes());
            },
            s -> new RxClassCounter(s.get(ValueLayout.JAVA_LONG, 0), s.get(ValueLayout.JAVA_LONG, 8)));

    RxClassCounter plus(RxClassCounter other) {
        return new RxClassCounter(packets + other.packets, bytes + other.bytes);
    }

    /** The sum over CPUs of one class. */
    static RxClassCounter total(PerCpuBpfMap<Integer, RxClassCounter> counters, int rxClass) {
        return counters.lookup(rxClass).orElseThrow().stream()
                .reduce(new RxClassCounter(0, 0), RxClassCounter::plus);
    }

    static String table(PerCpuBpfMap<Integer, RxClassCounter> counters) {
        StringBuilder table = new StringBuilder(String.format("%-8s %10s %12s%n", "CLASS", "PACKETS", "BYTES"));
        for (int rxClass = 0; rxClass < CLASSES.size(); rxClass++) {
            RxClassCounter total = total(counters, rxClass);
            table.append(String.format("%-8s %10d %12d%n", CLASSES.get(rxClass), total.packets, total.bytes));
        }
        return table.toString();
    }
}
