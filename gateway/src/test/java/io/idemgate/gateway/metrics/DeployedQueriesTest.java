package io.idemgate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.TestUpstream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboard and Prometheus rules query only metric names that a running gateway
 * really exports: a renamed metric breaks this test, not an operator's dashboard.
 */
class DeployedQueriesTest {

    private static final Path REPO = Path.of("..");
    private static final Path DASHBOARD = REPO.resolve("config/grafana/dashboards/idemgate.json");
    private static final Path RULES = REPO.resolve("config/prometheus/rules.yml");

    /** A gateway or client-library metric; not a recording rule's name (those contain ':'). */
    private static final Pattern METRIC = Pattern.compile("(?<![\\w:])((?:idemgate|jvm|process)_[A-Za-z0-9_]+)(?![\\w:])");
    private static final Pattern SAMPLE = Pattern.compile("^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]", Pattern.MULTILINE);

    @Test
    void everyMetricTheDashboardAndRulesQueryIsExported() throws Exception {
        Set<String> exported = scrapeNames();
        Set<String> queried = new TreeSet<>(namesIn(DASHBOARD));
        queried.addAll(namesIn(RULES));

        assertThat(queried).as("metric names in the dashboard and the rules").isNotEmpty()
                .contains("idemgate_requests_total", "idemgate_dedup_overhead_seconds_bucket",
                        "idemgate_store_errors_total", "idemgate_lease_lost_total");
        assertThat(exported).containsAll(queried);
    }

    private static Set<String> scrapeNames() throws IOException, InterruptedException {
        try (TestUpstream upstream = TestUpstream.start();
             GatewayFixture gateway = GatewayFixture.start("idemgate.routes = [ { name = orders, match { path = \"/**\" }, "
                     + "upstream.urls = [\"" + upstream.url() + "\"] } ]\n")) {
            for (int i = 0; i < 2; i++) { // executed, then replayed: every per-route series exists
                HttpRequest post = HttpRequest.newBuilder(gateway.uri("/v1/orders"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Idempotency-Key", "order-1")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"tea\"}"))
                        .build();
                assertThat(gateway.client().send(post, HttpResponse.BodyHandlers.discarding()).statusCode()).isLessThan(300);
            }
            // The embedded store never fails, and idemgate_store_errors_total{operation} gets a series only
            // on a store's first failure: count one the way InstrumentedIdempotencyStore does.
            gateway.gateway().metrics().storeError("claim");
            String text = gateway.client().send(HttpRequest.newBuilder(gateway.adminUri("/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Set<String> names = new TreeSet<>();
            Matcher m = SAMPLE.matcher(text);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }
    }

    private static Set<String> namesIn(Path file) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(Files.readString(file));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
