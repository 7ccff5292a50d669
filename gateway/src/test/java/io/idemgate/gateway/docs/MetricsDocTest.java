package io.idemgate.gateway.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.metrics.MetricNames;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/metrics.md has a row for every metric name of MetricNames and no other, and every metric a gateway
 * registers has a row.
 */
class MetricsDocTest {

    private static final Path DOC = Path.of("..", "docs", "metrics.md");
    private static final Pattern ROW = Pattern.compile("(?m)^\\|\\s*`(idemgate_[a-z0-9_]+)`\\s*\\|");

    @Test
    void everyMetricNameHasARowAndEveryRowIsAMetricName() throws Exception {
        assertThat(documented()).isEqualTo(named());
    }

    @Test
    void everyRegisteredMetricHasARow() throws IOException {
        assertThat(documented()).containsAll(registered());
    }

    /** MetricNames holds every name the gateway registers (the contract's list), labels apart. */
    private static Set<String> named() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (Field f : MetricNames.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && !f.getName().startsWith("LABEL_")) {
                names.add((String) f.get(null));
            }
        }
        assertThat(names).allMatch(n -> n.startsWith("idemgate_"));
        return names;
    }

    /** The metrics of a gateway's registry, as far as they register without a running store. */
    private static Set<String> registered() {
        PrometheusRegistry registry = new PrometheusRegistry();
        GatewayMetrics metrics = new GatewayMetrics(registry);
        metrics.registerBufferedRequestBytes(() -> 0);
        metrics.registerAccessLogDropped(() -> 0);
        metrics.registerWarmUp(0, 0);
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
