package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import java.util.Map;
import java.util.Set;

/**
 * Everything the control plane programs, as map contents: what the datapath should hold (desired)
 * or does hold (programmed). Tables are backend ids per slot; a programmed plan read back from the
 * maps has no tables, which makes the first sync reinstall every table (same content, atomic swap).
 */
record DatapathPlan(Map<Integer, BackendValue> backends, Map<Integer, ServiceValue> services,
                    Map<Integer, int[]> tables, Map<Integer, ServiceName> names,
                    Map<FrontendKey, FrontendValue> frontends, Set<SourceRangeKey> sourceRanges) {
    static DatapathPlan empty() {
        return new DatapathPlan(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Set.of());
    }
}
