package io.idemgate.gateway.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.metrics.GatewayMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/metrics.md has a row for every idemgate_ metric the gateway registers, and no row for one it does not. */
class MetricsDocTest {

    private static final Path DOC = Path.of("..", "docs", "metrics.md");
    private static final Pattern ROW = Pattern.compile("(?m)^\\|\\s*`(idemgate_[a-z0-9_]+)`\\s*\\|");

    @Test
    void everyRegisteredMetricHasARowAndEveryRowIsRegistered() throws IOException {
        assertThat(documented()).isEqualTo(registered());
    }

    /** Every metric of a gateway's registry, the ones registered only when their feature is on included. */
    private static Set<String> registered() {
        PrometheusRegistry registry = new PrometheusRegistry();
        GatewayMetrics metrics = new GatewayMetrics(registry);
        metrics.registerBufferedRequestBytes(() -> 0);
        metrics.registerAccessLogDropped(() -> 0);
        metrics.route("r");
        Set<String> names = new TreeSet<>();
        for (MetricSnapshot s : registry.scrape()) {
            String name = s.getMetadata().getPrometheusName();
            if (name.startsWith("idemgate_")) {
                names.add(s instanceof CounterSnapshot ? name + "_total" : name);
            }
        }
        assertThat(names).isNotEmpty();
        return names;
    }

    private static Set<String> documented() throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = ROW.matcher(Files.readString(DOC));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
