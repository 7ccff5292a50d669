package io.idemgate.loadtest.load;

import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Latency histograms, one per {@link Outcome} and one over all, in microseconds. Values are
 * measured from the intended send time in open loop, so a stalled server shows up in the tail
 * instead of silently lowering the send rate. Confined to the generator's event loop.
 */
final class LatencyStats {

    private static final long MAX_MICROS = 3_600_000_000L;

    private final Map<Outcome, Histogram> byOutcome = new EnumMap<>(Outcome.class);
    private final Histogram all = newHistogram();

    private static Histogram newHistogram() {
        return new Histogram(MAX_MICROS, 3);
    }

    void record(Outcome outcome, long nanos) {
        long micros = Math.min(MAX_MICROS, Math.max(0, nanos / 1_000));
        byOutcome.computeIfAbsent(outcome, o -> newHistogram()).recordValue(micros);
        all.recordValue(micros);
    }

    long count(Outcome outcome) {
        Histogram h = byOutcome.get(outcome);
        return h == null ? 0 : h.getTotalCount();
    }

    Histogram all() {
        return all;
    }

    Map<Outcome, Histogram> byOutcome() {
        return byOutcome;
    }

    static double millis(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    static double maxMillis(Histogram h) {
        return h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0;
    }

    /** The summary table: one row per outcome seen, then all. */
    String table() {
        StringBuilder out = new StringBuilder(String.format("%-13s %10s %10s %10s %10s %10s %10s%n",
                "outcome", "count", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"));
        byOutcome.forEach((o, h) -> out.append(row(o.label(), h)));
        return out.append(row("all", all)).toString();
    }

    private static String row(String label, Histogram h) {
        return String.format("%-13s %10d %10.2f %10.2f %10.2f %10.2f %10.2f%n", label, h.getTotalCount(),
                millis(h, 50), millis(h, 90), millis(h, 99), millis(h, 99.9), maxMillis(h));
    }

    /** {@code {"first":{"count":..,"p50_ms":..},...,"all":{...}}} */
    String json() {
        StringBuilder out = new StringBuilder("{");
        byOutcome.forEach((o, h) -> out.append('"').append(o.label()).append("\":").append(json(h)).append(','));
        return out.append("\"all\":").append(json(all)).append('}').toString();
    }

    private static String json(Histogram h) {
        return String.format(java.util.Locale.ROOT,
                "{\"count\":%d,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f}",
                h.getTotalCount(), millis(h, 50), millis(h, 90), millis(h, 99), millis(h, 99.9), maxMillis(h));
    }
}
