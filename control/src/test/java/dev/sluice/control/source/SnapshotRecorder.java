package dev.sluice.control.source;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Records snapshots, and whether callbacks ever overlapped. */
final class SnapshotRecorder implements Consumer<ClusterSnapshot> {

    final List<ClusterSnapshot> snapshots = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean overlapped;

    @Override
    public void accept(ClusterSnapshot snapshot) {
        if (inFlight.incrementAndGet() > 1) {
            overlapped = true;
        }
        try {
            Thread.sleep(5); // widen the window in which an overlap would show
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        snapshots.add(snapshot);
        inFlight.decrementAndGet();
    }

    ClusterSnapshot await(String what, Predicate<ClusterSnapshot> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!snapshots.isEmpty() && condition.test(snapshots.getLast())) {
                return snapshots.getLast();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fail("no snapshot with " + what + "; last: " + (snapshots.isEmpty() ? "none" : snapshots.getLast()));
    }

    int count() {
        return snapshots.size();
    }
}
