package dev.sluice.control.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PeriodicTrafficReaderTest {
    private static final ServiceTrafficKey WEB = new ServiceTrafficKey("shop", "web", "http");

    @Test
    void scrapesServeTheLastRefreshWithoutReadingTheMaps() {
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<DatapathTraffic> maps = new AtomicReference<>(
                new DatapathTraffic(Map.of(WEB, new ServiceTraffic(1, 100)), Map.of()));
        PeriodicTrafficReader reader = new PeriodicTrafficReader(() -> {
            reads.incrementAndGet();
            return maps.get();
        });

        assertThat(reader.read().services()).containsEntry(WEB, new ServiceTraffic(1, 100));
        maps.set(new DatapathTraffic(Map.of(WEB, new ServiceTraffic(5, 900)), Map.of()));
        for (int scrape = 0; scrape < 10; scrape++) {
            assertThat(reader.read().services()).containsEntry(WEB, new ServiceTraffic(1, 100));
        }
        assertThat(reads).hasValue(1);

        reader.refresh();
        assertThat(reader.read().services()).containsEntry(WEB, new ServiceTraffic(5, 900));
        assertThat(reads).hasValue(2);
    }

    @Test
    void aFailedRefreshFailsTheScrapesUntilARefreshSucceeds() {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        PeriodicTrafficReader reader = new PeriodicTrafficReader(() -> {
            if (failure.get() != null) {
                throw failure.get();
            }
            return new DatapathTraffic(Map.of(WEB, new ServiceTraffic(2, 200)), Map.of());
        });
        reader.refresh();
        failure.set(new IllegalStateException("svc_traffic unreadable"));
        reader.refresh();

        assertThatThrownBy(reader::read).hasMessage("svc_traffic unreadable");
        failure.set(null);
        reader.refresh();
        assertThat(reader.read().services()).containsEntry(WEB, new ServiceTraffic(2, 200));
    }
}
