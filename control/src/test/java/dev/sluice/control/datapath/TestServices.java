package dev.sluice.control.datapath;

import java.util.List;
import java.util.Map;

/** Programs services into the maps the way the control plane does: backends, table, service, frontends. */
final class TestServices {
    static final int TABLE_SIZE = 13;
    static final int TCP = 6;
    static final int UDP = 17;

    private TestServices() {
    }

    /** A table of {@link #TABLE_SIZE} slots that deals the backends out in turn. */
    static int[] table(int... backendIds) {
        int[] slots = new int[backendIds.length == 0 ? 0 : TABLE_SIZE];
        for (int slot = 0; slot < slots.length; slot++) {
            slots[slot] = backendIds[slot % backendIds.length];
        }
        return slots;
    }

    static void install(DatapathMaps maps, int serviceId, int flags, int affinityTimeoutSeconds,
                        Map<Integer, BackendValue> backends, int[] table, List<FrontendKey> frontends, int kind) {
        install(maps, serviceId, 0, flags, affinityTimeoutSeconds, backends, table, frontends, kind);
    }

    /** As {@link #install}, the service's id given under {@code generation}. */
    static void install(DatapathMaps maps, int serviceId, int generation, int flags, int affinityTimeoutSeconds,
                        Map<Integer, BackendValue> backends, int[] table, List<FrontendKey> frontends, int kind) {
        backends.forEach((id, backend) -> maps.backends().put(id, backend));
        if (table.length > 0) {
            maps.putMaglevTable(serviceId, table);
        }
        maps.services().put(serviceId, new ServiceValue(flags, affinityTimeoutSeconds, table.length,
                (int) java.util.Arrays.stream(table).distinct().count(), generation));
        for (FrontendKey frontend : frontends) {
            maps.frontends().put(frontend, new FrontendValue(serviceId, kind));
        }
    }
}
