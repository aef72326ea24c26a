package dev.sluice.control.sync;

import dev.sluice.control.datapath.DatapathMaps;

/** How many entries each control-plane map can hold, checked before anything is written. */
record Capacity(int backends, int services, int frontends, int sourceRanges) {
    static Capacity of(DatapathMaps maps) {
        return new Capacity(maps.backends().info().maxEntries(), maps.services().info().maxEntries(),
                maps.frontends().info().maxEntries(), maps.sourceRanges().info().maxEntries());
    }

    /** Null when the plan fits, else which map overflows and by how much. */
    String overflow(DatapathPlan plan) {
        if (plan.backends().size() > backends) {
            return "svc_backends needs " + plan.backends().size() + " entries, capacity " + backends;
        }
        if (plan.services().size() > services) {
            return "svc_services needs " + plan.services().size() + " entries, capacity " + services;
        }
        if (plan.frontends().size() > frontends) {
            return "svc_frontends needs " + plan.frontends().size() + " entries, capacity " + frontends;
        }
        if (plan.sourceRanges().size() > sourceRanges) {
            return "svc_source_ranges needs " + plan.sourceRanges().size() + " entries, capacity " + sourceRanges;
        }
        return null;
    }
}
