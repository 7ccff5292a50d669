package io.idemgate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.idemgate.gateway.idempotency.Outcome;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry);

    @Test
    void everySpecMetricIsExposedWithItsTypeAndLabels() throws IOException {
        RouteMetrics route = metrics.route("payments");
        route.upstreamLatency("2xx", 1_000_000);
        metrics.storeOperation("claim", "ok", 200_000);
        metrics.storeError("claim");

        String text = scrape();

        assertThat(text)
                .contains("# TYPE idemgate_requests_total counter")
                .contains("# TYPE idemgate_dedup_overhead_seconds histogram")
                .contains("# TYPE idemgate_wait_seconds histogram")
                .contains("# TYPE idemgate_store_operation_seconds histogram")
                .contains("# TYPE idemgate_upstream_request_seconds histogram")
                .contains("# TYPE idemgate_inflight_requests gauge")
                .contains("# TYPE idemgate_waiting_requests gauge")
                .contains("# TYPE idemgate_lease_lost_total counter")
                .contains("# TYPE idemgate_store_errors_total counter")
                .contains("# TYPE idemgate_rejected_requests_total counter")
                .contains("idemgate_dedup_overhead_seconds_bucket{route=\"payments\",le=\"5.0E-5\"} 0")
                .contains("idemgate_wait_seconds_count{route=\"payments\"} 0")
                .contains("idemgate_store_operation_seconds_count{operation=\"claim\",result=\"ok\"} 1")
                .contains("idemgate_upstream_request_seconds_count{route=\"payments\",status_class=\"2xx\"} 1")
                .contains("idemgate_inflight_requests{route=\"payments\"} 0")
                .contains("idemgate_waiting_requests{route=\"payments\"} 0")
                .contains("idemgate_lease_lost_total{route=\"payments\"} 0")
                .contains("idemgate_store_errors_total{operation=\"claim\"} 1")
                .contains("idemgate_rejected_requests_total{reason=\"no_route\"} 0");
        assertThat(text).doesNotContain("idemgate_upstream_request_seconds_count{route=\"payments\",status_class=\"5xx\"}");
    }

    @Test
    void storeCircuitStateIsAGaugeAtZeroUntilTheBreakerOpens() throws IOException {
        assertThat(scrape()).contains("# TYPE idemgate_store_circuit_state gauge")
                .contains("idemgate_store_circuit_state 0");

        metrics.storeCircuitState(1);

        assertThat(scrape()).contains("idemgate_store_circuit_state 1");
    }

    @Test
    void everyOutcomeSeriesExistsAtZeroOnceTheRouteIsKnown() throws IOException {
        metrics.route("payments");

        String text = scrape();

        for (String label : new String[] {"passthrough", "executed", "replayed", "waited", "conflict", "mismatch",
                "missing_key", "invalid_key", "too_large", "store_unavailable", "fail_open", "outcome_unknown",
                "upstream_error", "shadow_first", "shadow_duplicate", "scope_required", "invalid_token", "overloaded"}) {
            assertThat(text).contains("idemgate_requests_total{outcome=\"" + label + "\",route=\"payments\"} 0.0");
        }
        assertThat(Outcome.values()).hasSize(19);
    }

    @Test
    void countsIncrement() throws IOException {
        RouteMetrics route = metrics.route("orders");
        route.count(Outcome.EXECUTED);
        route.count(Outcome.REPLAYED);
        route.count(Outcome.REPLAYED);
        route.inflightIncrement();
        route.inflightIncrement();
        route.inflightDecrement();
        route.leaseLost();
        route.waited(2_000_000_000L);
        route.dedupOverhead(300_000);
        metrics.rejected(RejectReason.NO_ROUTE);

        String text = scrape();

        assertThat(text)
                .contains("idemgate_requests_total{outcome=\"executed\",route=\"orders\"} 1.0")
                .contains("idemgate_requests_total{outcome=\"replayed\",route=\"orders\"} 2.0")
                .contains("idemgate_inflight_requests{route=\"orders\"} 1.0")
                .contains("idemgate_lease_lost_total{route=\"orders\"} 1.0")
                .contains("idemgate_wait_seconds_sum{route=\"orders\"} 2.0")
                .contains("idemgate_dedup_overhead_seconds_bucket{route=\"orders\",le=\"5.0E-4\"} 1")
                .contains("idemgate_rejected_requests_total{reason=\"no_route\"} 1.0");
    }

    @Test
    void routeMetricsAreCachedPerRoute() {
        assertThat(metrics.route("a")).isSameAs(metrics.route("a")).isNotSameAs(metrics.route("b"));
    }

    @Test
    void statusClassesCoverEveryStatusAndFailures() {
        assertThat(RouteMetrics.statusClass(101)).isEqualTo("1xx");
        assertThat(RouteMetrics.statusClass(204)).isEqualTo("2xx");
        assertThat(RouteMetrics.statusClass(302)).isEqualTo("3xx");
        assertThat(RouteMetrics.statusClass(429)).isEqualTo("4xx");
        assertThat(RouteMetrics.statusClass(503)).isEqualTo("5xx");
        assertThat(RouteMetrics.statusClass(999)).isEqualTo("error");
        assertThatThrownBy(() -> metrics.route("a").upstreamLatency("6xx", 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jvmMetricsRegisterOnTheGatewayRegistry() throws IOException {
        metrics.registerJvmMetrics();

        assertThat(scrape()).contains("jvm_memory_used_bytes").contains("process_cpu_seconds_total");
    }

    private String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
