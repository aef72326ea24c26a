package dev.sluice.control.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

/** /metrics fetched over HTTP, as Prometheus would, reduced to its sample lines. */
final class Scrape {
    private Scrape() {
    }

    static List<String> samples(int port) {
        HttpResponse<String> response = Http.get(port, "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body().lines().filter(line -> !line.startsWith("#")).toList();
    }
}
