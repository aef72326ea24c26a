package dev.sluice.control.datapath;

import dev.sluice.ffm.BpfMap;
import dev.sluice.ffm.BpfObject;
import dev.sluice.ffm.MapCodec;
import dev.sluice.ffm.MapHandle;
import dev.sluice.ffm.MapType;
import dev.sluice.ffm.PerCpuBpfMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed views of every datapath map (see bpf/README.md for the table of names, keys and values).
 * The views borrow the fds of the loaded object that owns the maps.
 */
public final class DatapathMaps {
    public static final String CONFIG = "sluice_config";
    public static final String FRONTENDS = "svc_frontends";
    public static final String SERVICES = "svc_services";
    public static final String BACKENDS = "svc_backends";
    public static final String MAGLEV = "svc_maglev";
    public static final String SOURCE_RANGES = "svc_source_ranges";
    public static final String AFFINITY = "svc_affinity";
    public static final String CONNTRACK = "ct_entries";
    public static final String TRAFFIC = "svc_traffic";
    public static final String DROPS = "datapath_drops";
    public static final String MASQUERADE_EXEMPT = "masq_exempt";
    public static final String NAMES = "svc_names";
    public static final String TABLE_DIGESTS = "svc_table_digests";
    public static final String XDP_TX_INTERFACES = "xdp_tx_interfaces";
    /** Written and read by the datapath alone: the ports of fragmented datagrams. */
    public static final String FRAGMENTS = "ct_fragments";
    /** Written and read by the datapath alone: the token buckets of the reply budget. */
    public static final String REPLY_TOKENS = "reply_tokens";
    public static final List<String> ALL = List.of(CONFIG, FRONTENDS, SERVICES, BACKENDS, MAGLEV,
            SOURCE_RANGES, AFFINITY, CONNTRACK, TRAFFIC, DROPS, MASQUERADE_EXEMPT, NAMES, TABLE_DIGESTS, XDP_TX_INTERFACES, FRAGMENTS,
            REPLY_TOKENS);

    /** BPF_F_INNER_MAP: inner arrays of any size fit the one template of svc_maglev. */
    private static final int BPF_F_INNER_MAP = 1 << 12;

    private final BpfMap<Integer, DatapathConfig> config;
    private final BpfMap<FrontendKey, FrontendValue> frontends;
    private final BpfMap<Integer, ServiceValue> services;
    private final BpfMap<Integer, BackendValue> backends;
    private final BpfMap<Integer, Integer> maglev;
    private final BpfMap<SourceRangeKey, Byte> sourceRanges;
    private final BpfMap<AffinityKey, AffinityValue> affinity;
    private final MapHandle conntrack;
    private final PerCpuBpfMap<Integer, TrafficCounter> traffic;
    private final PerCpuBpfMap<Integer, Long> drops;
    private final BpfMap<MasqueradeExemptKey, Byte> masqueradeExempt;
    private final BpfMap<Integer, ServiceName> names;
    private final BpfMap<Integer, Byte> xdpTxInterfaces;
    private final BpfMap<Integer, Long> tableDigests;

    DatapathMaps(BpfObject object) {
        config = object.map(CONFIG, MapCodec.u32(), DatapathConfig.CODEC);
        frontends = object.map(FRONTENDS, FrontendKey.CODEC, FrontendValue.CODEC);
        services = object.map(SERVICES, MapCodec.u32(), ServiceValue.CODEC);
        backends = object.map(BACKENDS, MapCodec.u32(), BackendValue.CODEC);
        maglev = object.map(MAGLEV, MapCodec.u32(), MapCodec.u32());
        sourceRanges = object.map(SOURCE_RANGES, SourceRangeKey.CODEC, PRESENT);
        affinity = object.map(AFFINITY, AffinityKey.CODEC, AffinityValue.CODEC);
        conntrack = object.mapHandle(CONNTRACK);
        traffic = object.perCpuMap(TRAFFIC, MapCodec.u32(), TrafficCounter.CODEC);
        drops = object.perCpuMap(DROPS, MapCodec.u32(), MapCodec.u64());
        masqueradeExempt = object.map(MASQUERADE_EXEMPT, MasqueradeExemptKey.CODEC, PRESENT);
        names = object.map(NAMES, MapCodec.u32(), ServiceName.CODEC);
        xdpTxInterfaces = object.map(XDP_TX_INTERFACES, MapCodec.u32(), PRESENT);
        tableDigests = object.map(TABLE_DIGESTS, MapCodec.u32(), MapCodec.u64());
    }

    /** What each installed Maglev table holds, as a digest: the control plane's own record. */
    public BpfMap<Integer, Long> tableDigests() {
        return tableDigests;
    }

    /** The service ids that have a table installed. */
    public java.util.List<Integer> maglevTableIds() {
        return maglev.keys();
    }

    /** Interfaces (by ifindex) where XDP transmits forwarded packets itself; elsewhere tc does. */
    public BpfMap<Integer, Byte> xdpTxInterfaces() {
        return xdpTxInterfaces;
    }

    public BpfMap<Integer, ServiceName> names() {
        return names;
    }

    /** The u8 value of set-like maps, where presence is all that matters. */
    private static final MapCodec<Byte> PRESENT = MapCodec.of(java.lang.foreign.ValueLayout.JAVA_BYTE,
            (v, s) -> s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, v),
            s -> s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));

    public BpfMap<MasqueradeExemptKey, Byte> masqueradeExempt() {
        return masqueradeExempt;
    }

    public BpfMap<Integer, DatapathConfig> config() {
        return config;
    }

    public BpfMap<FrontendKey, FrontendValue> frontends() {
        return frontends;
    }

    public BpfMap<Integer, ServiceValue> services() {
        return services;
    }

    public BpfMap<Integer, BackendValue> backends() {
        return backends;
    }

    public BpfMap<SourceRangeKey, Byte> sourceRanges() {
        return sourceRanges;
    }

    public BpfMap<AffinityKey, AffinityValue> affinity() {
        return affinity;
    }

    public PerCpuBpfMap<Integer, TrafficCounter> traffic() {
        return traffic;
    }

    public PerCpuBpfMap<Integer, Long> drops() {
        return drops;
    }

    /** Connection tracking entries of one family; values decode per family. */
    public BpfMap<Tuple, ConntrackValue> conntrack(int family) {
        return new BpfMap<>(conntrack, Tuple.CODEC, ConntrackValue.codec(family));
    }

    /**
     * Deletes a connection tracking entry and returns the value it held when it went, decoded as
     * {@link #conntrack(int)} decodes it (see {@link BpfMap#lookupAndDelete} for why that is not a
     * lookup and a delete).
     */
    public Optional<ConntrackValue> takeConntrack(Tuple key, int family) {
        return conntrack(family).lookupAndDelete(key);
    }

    /**
     * Installs a service's Maglev table: a new inner array is filled first and then swapped in
     * with one update of svc_maglev, so the datapath sees the old table or the new one, never a
     * mix. {@code slots[i]} is the backend id of slot i; its length is the table size.
     */
    public void putMaglevTable(int serviceId, int[] slots) {
        try (MapHandle table = filledTable(serviceId, slots)) {
            maglev.put(serviceId, table.fd());
        }
    }

    /** Tables installed with one svc_maglev batch update each (their fds open at once); see {@link #putMaglevTables}. */
    static final int MAGLEV_BATCH = 1024;

    /**
     * Installs many tables. A table whose installed predecessor has the same size is rewritten
     * in place: one batch update, no swap. The datapath may then read a mix of old and new slots
     * for the moment of the write, which is harmless: every slot of either names a programmed
     * backend (backends leave only after the tables that named them), and flows already tracked
     * keep their backend. Any other table is filled first and swapped in whole, with one batch
     * update of svc_maglev per {@value #MAGLEV_BATCH} tables: every update of a map-in-map from
     * user space waits for an RCU grace period (so that no program still uses the old inner map,
     * milliseconds each), and a batch waits once. On failure nothing of the failed batch can be
     * told apart: its tables are retried one by one.
     *
     * @return the service ids whose tables could not be installed, with the reason
     */
    public Map<Integer, RuntimeException> putMaglevTables(Map<Integer, int[]> tables) {
        Map<Integer, RuntimeException> failed = new HashMap<>();
        Map<Integer, int[]> swaps = new java.util.LinkedHashMap<>();
        tables.forEach((id, slots) -> {
            try {
                if (!rewroteInPlace(id, slots)) {
                    swaps.put(id, slots);
                }
            } catch (RuntimeException e) {
                failed.put(id, e);
            }
        });
        List<Map.Entry<Integer, int[]>> all = List.copyOf(swaps.entrySet());
        for (int from = 0; from < all.size(); from += MAGLEV_BATCH) {
            List<Map.Entry<Integer, int[]>> batch = all.subList(from, Math.min(all.size(), from + MAGLEV_BATCH));
            List<MapHandle> inner = new java.util.ArrayList<>(batch.size());
            try {
                Map<Integer, Integer> fds = new HashMap<>(batch.size() * 2);
                for (Map.Entry<Integer, int[]> table : batch) {
                    MapHandle handle = filledTable(table.getKey(), table.getValue());
                    inner.add(handle);
                    fds.put(table.getKey(), handle.fd());
                }
                maglev.updateBatch(fds);
            } catch (RuntimeException batchFailed) {
                for (Map.Entry<Integer, int[]> table : batch) {
                    try {
                        putMaglevTable(table.getKey(), table.getValue());
                    } catch (RuntimeException e) {
                        failed.put(table.getKey(), e);
                    }
                }
            } finally {
                inner.forEach(MapHandle::close);
            }
        }
        return failed;
    }

    /** Writes the slots into the installed table of the same size, if there is one. */
    private boolean rewroteInPlace(int serviceId, int[] slots) {
        Optional<Integer> installed = maglev.lookup(serviceId);
        if (installed.isEmpty()) {
            return false;
        }
        MapHandle table;
        try {
            table = MapHandle.openById(installed.get());
        } catch (RuntimeException gone) {
            return false; // replaced or deleted meanwhile: swap a new one in
        }
        try (table) {
            if (table.info().maxEntries() != slots.length) {
                return false;
            }
            fill(table, slots);
            return true;
        }
    }

    private static MapHandle filledTable(int serviceId, int[] slots) {
        MapHandle table = MapHandle.create(MapType.ARRAY, "maglev_" + serviceId, 4, 4, slots.length, BPF_F_INNER_MAP);
        try {
            fill(table, slots);
            return table;
        } catch (RuntimeException e) {
            table.close();
            throw e;
        }
    }

    private static void fill(MapHandle table, int[] slots) {
        BpfMap<Integer, Integer> typed = new BpfMap<>(table, MapCodec.u32(), MapCodec.u32());
        Map<Integer, Integer> entries = new HashMap<>(slots.length * 2);
        for (int slot = 0; slot < slots.length; slot++) {
            entries.put(slot, slots[slot]);
        }
        typed.updateBatch(entries);
    }

    /** Removes many tables with one batch delete (one RCU wait); absent ones are skipped. */
    public int removeMaglevTables(java.util.Collection<Integer> serviceIds) {
        return serviceIds.isEmpty() ? 0 : maglev.deleteBatch(serviceIds);
    }

    /** The id of the inner map that holds a service's table, if one is installed. */
    public java.util.Optional<Integer> maglevTableId(int serviceId) {
        return maglev.lookup(serviceId);
    }
}
