package dev.sluice.control.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.model.DesiredState;
import dev.sluice.control.model.ProxySemantics;
import dev.sluice.control.model.ServiceChangeTracker;
import dev.sluice.control.model.ServicePort;
import dev.sluice.control.model.ServicePortKey;
import dev.sluice.control.model.ValidationError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The incremental path (change tracker, then the reconciler's update of what changed) against
 * the full recompute (ProxySemantics over everything into fresh maps) after every step of random
 * change sequences: the same ports, the same problems, the same map contents. Then a full resync
 * of the incremental maps must find nothing to write.
 */
class IncrementalSyncPropertyTest {
    private static final int STEPS = 60;
    private static final int MAX_TABLE = 251;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void incrementalResultEqualsFullRecomputeAfterEveryStep(long seed) {
        RandomCluster cluster = new RandomCluster(seed);
        ServiceChangeTracker tracker = new ServiceChangeTracker();
        InMemoryServiceMaps incrementalMaps = new InMemoryServiceMaps();
        Reconciler incremental = Reconciler.adopt(incrementalMaps, MAX_TABLE, 7);
        List<String> history = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            history.add(cluster.step());
            Map<ServicePortKey, ServicePort> changed = tracker.update(cluster.serviceList(), cluster.sliceList(), cluster.node);
            SyncResult result = step == 0 ? incremental.sync(tracker.ports().values()) : incremental.update(changed);

            DesiredState full = ProxySemantics.compute(cluster.serviceList(), cluster.sliceList(), cluster.node);
            InMemoryServiceMaps fullMaps = new InMemoryServiceMaps();
            SyncResult fullResult = Reconciler.adopt(fullMaps, MAX_TABLE, 7).sync(full.ports().values());

            String context = "seed " + seed + " after " + history;
            assertThat(tracker.ports()).as(context).isEqualTo(full.ports());
            assertThat(sorted(tracker.errors())).as(context).isEqualTo(sorted(full.errors()));
            assertThat(RenderedMaps.of(incrementalMaps)).as(context).isEqualTo(RenderedMaps.of(fullMaps));
            assertThat(result.conflicts()).as(context).isEqualTo(fullResult.conflicts());
            assertThat(result.errors()).as(context).isEmpty();
        }
        incrementalMaps.resetWriteCount();
        SyncResult resync = incremental.resync(tracker.ports().values());
        assertThat(resync.writes()).as("a full resync after " + history).isZero();
        assertThat(incrementalMaps.totalWrites()).isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110})
    void withAWriteFailingAtEveryStepNothingDanglesAndARetryConverges(long seed) {
        RandomCluster cluster = new RandomCluster(seed);
        java.util.SplittableRandom faults = new java.util.SplittableRandom(seed);
        ServiceChangeTracker tracker = new ServiceChangeTracker();
        InMemoryServiceMaps maps = new InMemoryServiceMaps();
        Reconciler incremental = Reconciler.adopt(maps, MAX_TABLE, 7);
        List<String> history = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            history.add(cluster.step());
            Map<ServicePortKey, ServicePort> changed = tracker.update(cluster.serviceList(), cluster.sliceList(), cluster.node);
            maps.failNthWrite(faults.nextInt(1, 12));
            if (step == 0) {
                incremental.sync(tracker.ports().values());
            } else {
                incremental.update(changed);
            }
            String context = "seed " + seed + " after " + history;
            RenderedMaps.of(maps);
            maps.heal();
            if (faults.nextBoolean()) {
                // Half the time the retry comes on its own, half the time with the next change.
                assertThat(incremental.retry().errors()).as(context).isEmpty();
                InMemoryServiceMaps fullMaps = new InMemoryServiceMaps();
                Reconciler.adopt(fullMaps, MAX_TABLE, 7).sync(
                        ProxySemantics.compute(cluster.serviceList(), cluster.sliceList(), cluster.node).ports().values());
                assertThat(RenderedMaps.of(maps)).as(context).isEqualTo(RenderedMaps.of(fullMaps));
            }
        }
    }

    private static List<String> sorted(List<ValidationError> errors) {
        return errors.stream().map(ValidationError::toString).sorted().toList();
    }
}
