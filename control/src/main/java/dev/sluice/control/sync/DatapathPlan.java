package dev.sluice.control.sync;

import dev.sluice.control.datapath.BackendValue;
import dev.sluice.control.datapath.FrontendKey;
import dev.sluice.control.datapath.FrontendValue;
import dev.sluice.control.datapath.ServiceName;
import dev.sluice.control.datapath.ServiceValue;
import dev.sluice.control.datapath.SourceRangeKey;
import java.util.Map;
import java.util.Set;

/** The map entries one service port needs. */
record DatapathPlan(Map<Integer, BackendValue> backends, Map<Integer, ServiceValue> services,
                    Map<Integer, TablePlan> tables, Map<Integer, ServiceName> names,
                    Map<FrontendKey, FrontendValue> frontends, Set<SourceRangeKey> sourceRanges) {
}
