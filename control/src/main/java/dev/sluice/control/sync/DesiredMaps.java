package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the maps should hold: the sum of the accepted port plans, kept up to date one plan at a
 * time. Backends and frontends may be claimed by several ports; the rest belongs to one view.
 */
final class DesiredMaps {
    final Claims<Integer, Claimant, BackendValue> backends = new Claims<>();
    final Map<Integer, ServiceValue> services = new HashMap<>();
    final Map<Integer, TablePlan> tables = new HashMap<>();
    final Map<Integer, ServiceName> names = new HashMap<>();
    final Claims<FrontendKey, Claimant, FrontendValue> frontends = new Claims<>();
    final Set<SourceRangeKey> sourceRanges = new HashSet<>();
    /** Frontends claimed by more than one port: all but the oldest are refused. */
    final Set<FrontendKey> contested = new HashSet<>();

    void add(PlanBuilder.PortPlan portPlan, Touched touched) {
        Claimant claimant = Claimant.of(portPlan.port());
        DatapathPlan plan = portPlan.plan();
        plan.backends().forEach((id, value) -> {
            backends.claim(id, claimant, value);
            touched.backends.add(id);
        });
        services.putAll(plan.services());
        tables.putAll(plan.tables());
        names.putAll(plan.names());
        touched.services.addAll(plan.services().keySet());
        plan.frontends().forEach((key, value) -> {
            frontends.claim(key, claimant, value);
            if (frontends.claimants(key) > 1) {
                contested.add(key);
            }
            touched.frontends.add(key);
        });
        sourceRanges.addAll(plan.sourceRanges());
        touched.sourceRanges.addAll(plan.sourceRanges());
    }

    /** Takes a plan's claims back; returns the backend ids nothing claims any more. */
    Set<Integer> remove(PlanBuilder.PortPlan portPlan, Touched touched) {
        Claimant claimant = Claimant.of(portPlan.port());
        DatapathPlan plan = portPlan.plan();
        Set<Integer> unclaimed = new HashSet<>();
        plan.backends().keySet().forEach(id -> {
            if (backends.withdraw(id, claimant)) {
                unclaimed.add(id);
            }
            touched.backends.add(id);
        });
        plan.services().keySet().forEach(id -> {
            services.remove(id);
            tables.remove(id);
            names.remove(id);
            touched.services.add(id);
        });
        plan.frontends().keySet().forEach(key -> {
            frontends.withdraw(key, claimant);
            if (frontends.claimants(key) < 2) {
                contested.remove(key);
            }
            touched.frontends.add(key);
        });
        sourceRanges.removeAll(plan.sourceRanges());
        touched.sourceRanges.addAll(plan.sourceRanges());
        return unclaimed;
    }
}
