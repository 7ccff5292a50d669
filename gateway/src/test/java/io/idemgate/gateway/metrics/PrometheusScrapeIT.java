package io.idemgate.gateway.metrics;

import static io.idemgate.gateway.testsupport.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.idemgate.gateway.testsupport.Behaviour;
import io.idemgate.gateway.testsupport.GatewayFixture;
import io.idemgate.gateway.testsupport.ProxyTestBed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus server scrapes a running gateway's admin port, and the SPEC §5 duplicate-rate
 * expression, evaluated by Prometheus itself, gives the share of duplicates the test sent: the metric
 * names, labels, counter semantics and exposition format all survive a real scrape and PromQL.
 *
 * <p>Needs {@code /usr/bin/prometheus} (Debian's {@code prometheus} package; {@code .ci/check-deploy}
 * installs it). Skipped, loudly, only when that binary is absent.
 */
class PrometheusScrapeIT {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    /** SPEC §5, verbatim (also in docs/metrics.md). */
    static final String DUPLICATE_RATE =
            "sum(rate(idemgate_requests_total{outcome=~\"replayed|waited|conflict|mismatch\"}[5m]))"
                    + " / sum(rate(idemgate_requests_total[5m]))";

    private static final int KEYS = 10;
    private static final int REQUESTS_PER_KEY = 3;

    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[^,\\]]+,\"([^\"]+)\"\\]");

    private static ProxyTestBed bed;
    private static Path tmp;
    private static Process prometheus;
    private static Path prometheusLog;
    private static URI prometheusUri;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS),
                "\n\n*** SKIPPED: " + PROMETHEUS + " IS NOT INSTALLED — the real-Prometheus scrape test did NOT run. ***\n"
                        + "*** Install Debian's 'prometheus' package (bash .ci/check-deploy does) to run it. ***\n");

        bed = ProxyTestBed.start(url -> "idemgate.routes = [ { name = orders, match { path = \"/**\" }, "
                + "upstream.urls = [\"" + url + "\"] } ]\n");
        bed.upstream().handle(Behaviour.created());

        tmp = Files.createTempDirectory("idemgate-prometheus-it");
        int port = freePort();
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, ""
                + "global:\n"
                + "  scrape_interval: 1s\n"
                + "  scrape_timeout: 900ms\n"
                + "  evaluation_interval: 1s\n"
                + "scrape_configs:\n"
                + "  - job_name: idemgate\n"
                + "    metrics_path: /metrics\n"
                + "    static_configs:\n"
                + "      - targets: ['127.0.0.1:" + bed.gateway().gateway().adminPort() + "']\n");
        prometheusLog = tmp.resolve("prometheus.log");
        prometheus = new ProcessBuilder(PROMETHEUS.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + tmp.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(prometheusLog.toFile())
                .start();
        prometheusUri = URI.create("http://127.0.0.1:" + port);

        await("Prometheus ready on " + prometheusUri).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!prometheus.isAlive()) {
                        throw new AssertionError("Prometheus exited with " + prometheus.exitValue() + ":\n" + log());
                    }
                    return status("/-/ready") == 200;
                });
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                    prometheus.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            try {
                if (bed != null) {
                    bed.close();
                }
            } finally {
                if (tmp != null) {
                    deleteTree(tmp);
                }
            }
        }
    }

    @Test
    void prometheusComputesTheSpecDuplicateRateFromARealScrape() throws Exception {
        GatewayFixture gateway = bed.gateway();

        // A GET passes through (POST and PATCH are the idempotent methods) and makes the route's 15 outcome
        // series exist at 0. Once Prometheus holds them at 0, the burst's increases are measured from zero.
        HttpResponse<String> warmUp = gateway.get(gateway.uri("/v1/orders"));
        assertThat(warmUp.statusCode()).isEqualTo(201);
        await("Prometheus has scraped the route's series at 0").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> query("sum(idemgate_requests_total{route=\"orders\",outcome=~\"executed|replayed\"})")
                        .filter(v -> v == 0.0).isPresent());

        for (int k = 0; k < KEYS; k++) {
            String firstBody = null;
            for (int n = 0; n < REQUESTS_PER_KEY; n++) {
                HttpResponse<String> r = gateway.client().send(HttpRequest.newBuilder(gateway.uri("/v1/orders"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Idempotency-Key", "prom-it-" + k)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"tea\",\"n\":" + k + "}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("key %d request %d", k, n).isEqualTo(201);
                if (n == 0) {
                    firstBody = r.body();
                } else {
                    assertThat(r.headers().firstValue("Idempotent-Replayed")).contains("true");
                    assertThat(r.body()).isEqualTo(firstBody);
                }
            }
        }
        assertThat(bed.upstream().requestCount()).as("upstream executions: the warm-up GET and one per key")
                .isEqualTo(1 + KEYS);

        // The gateway's own counters, before asking Prometheus.
        var text = gateway.scrapeMetrics();
        assertThat(text.value("idemgate_requests_total", "route", "orders", "outcome", "executed")).isEqualTo(KEYS);
        assertThat(text.value("idemgate_requests_total", "route", "orders", "outcome", "replayed"))
                .isEqualTo(KEYS * (REQUESTS_PER_KEY - 1));

        // Wait for a scrape taken after the whole burst (a scrape in mid-burst gives 2/3 too, after each complete key).
        await("Prometheus has scraped the counters after the burst").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> query("sum(idemgate_requests_total{route=\"orders\",outcome=\"replayed\"})").equals(Optional.of(20.0)));
        assertThat(query("sum(idemgate_requests_total{route=\"orders\",outcome=\"executed\"})")).contains(10.0);
        assertThat(query("sum(idemgate_requests_total{route=\"orders\",outcome=\"passthrough\"})")).contains(1.0);

        // 20 replays out of 31 requests in all, but the warm-up GET was already counted (1) in the first sample
        // Prometheus kept, so over the window: replayed +20, executed +10, passthrough +0;
        // every series starts at 0, so rate() does not extrapolate before its first sample and the ratio is exact.
        double expected = (double) (KEYS * (REQUESTS_PER_KEY - 1)) / (KEYS * REQUESTS_PER_KEY);
        await("Prometheus evaluates the SPEC §5 duplicate rate to " + expected)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    Optional<Double> v = query(DUPLICATE_RATE);
                    assertThat(v).as("%s (Prometheus log:\n%s)", DUPLICATE_RATE, log()).isPresent();
                    assertThat(v.get()).isCloseTo(expected, within(1e-9));
                });

        // The same ratio per route (the per-route form docs/metrics.md gives).
        assertThat(query("sum by (route) (rate(idemgate_requests_total{outcome=~\"replayed|waited|conflict|mismatch\"}[5m]))"
                + " / sum by (route) (rate(idemgate_requests_total[5m]))"))
                .hasValueSatisfying(v -> assertThat(v).isCloseTo(expected, within(1e-9)));
    }

    /** The single value of an instant query's result, or empty when the result is empty. */
    private static Optional<Double> query(String promql) throws IOException, InterruptedException {
        URI uri = URI.create(prometheusUri + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("query %s: %s", promql, r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":\"success\"");
        Matcher m = VALUE.matcher(r.body());
        if (!m.find()) {
            return Optional.empty();
        }
        double value = Double.parseDouble(m.group(1).replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
        assertThat(m.find()).as("one series expected for %s: %s", promql, r.body()).isFalse();
        return Double.isNaN(value) ? Optional.empty() : Optional.of(value);
    }

    private static int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(prometheusUri + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String log() {
        try {
            List<String> lines = Files.readAllLines(prometheusLog);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
