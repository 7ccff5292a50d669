package io.idemgate.loadtest.load;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The run second by second, so a stall can be placed in time and matched against the GC and safepoint logs
 * of the processes involved: per second of intended send time (open loop; of send time in closed loop) the
 * requests planned and their latency (p50, p99, max); per second of the clock the requests sent and answered,
 * the largest backlog and number in flight, and how late this generator's own 1 ms tick ran (its
 * loop lag: its own collector or a starved core, not the target's). Each second carries its wall-clock
 * start (epoch milliseconds), the clock the other processes' logs are decorated with.
 *
 * <p>Confined to the generator's event loop. A second's histogram keeps two significant digits (1 %),
 * enough for a per-second p99; the run's overall figures come from {@link LatencyStats}.
 */
final class Timeline {

    private static final long MAX_MICROS = 3_600_000_000L;
    private static final long SECOND = 1_000_000_000L;

    /** One second of the run. */
    static final class Second {
        final int index;
        long planned;
        long sent;
        long answered;
        long errors;
        long maxBacklog;
        long maxInFlight;
        long maxLoopLagNanos;
        private Histogram latency;

        Second(int index) {
            this.index = index;
        }

        long count() {
            return latency == null ? 0 : latency.getTotalCount();
        }

        double millis(double percentile) {
            return latency == null ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
        }

        double maxMillis() {
            return latency == null ? 0 : latency.getMaxValue() / 1000.0;
        }
    }

    private final long startNanos;
    private final long startEpochMillis;
    private final long measureFromNanos;
    private final List<Second> seconds = new ArrayList<>();

    /**
     * @param startNanos the run's start on {@link System#nanoTime()}'s clock
     * @param startEpochMillis the same instant on the wall clock
     * @param measureFromNanos the end of the warm-up: earlier seconds are marked as not measured
     */
    Timeline(long startNanos, long startEpochMillis, long measureFromNanos) {
        this.startNanos = startNanos;
        this.startEpochMillis = startEpochMillis;
        this.measureFromNanos = measureFromNanos;
    }

    void planned(long intendedNanos) {
        at(intendedNanos).planned++;
    }

    void sent(long nowNanos, long inFlight) {
        Second s = at(nowNanos);
        s.sent++;
        s.maxInFlight = Math.max(s.maxInFlight, inFlight);
    }

    void backlog(long nowNanos, long size) {
        Second s = at(nowNanos);
        s.maxBacklog = Math.max(s.maxBacklog, size);
    }

    /** A request answered (or failed, {@code error}) at {@code nowNanos}, timed from {@code fromNanos}. */
    void answered(long fromNanos, long nowNanos, boolean error) {
        Second answeredIn = at(nowNanos);
        answeredIn.answered++;
        if (error) {
            answeredIn.errors++;
        }
        Second from = at(fromNanos);
        if (from.latency == null) {
            from.latency = new Histogram(MAX_MICROS, 2);
        }
        from.latency.recordValue(Math.min(MAX_MICROS, Math.max(0, (nowNanos - fromNanos) / 1_000)));
    }

    /** The tick meant to run every {@code periodNanos} ran {@code gapNanos} after the previous one. */
    void tick(long nowNanos, long gapNanos, long periodNanos) {
        Second s = at(nowNanos);
        s.maxLoopLagNanos = Math.max(s.maxLoopLagNanos, gapNanos - periodNanos);
    }

    boolean measured(Second s) {
        return startNanos + (s.index + 1) * SECOND > measureFromNanos;
    }

    List<Second> seconds() {
        return seconds;
    }

    /** The largest backlog within the measured seconds. */
    long measuredMaxBacklog() {
        return seconds.stream().filter(this::measured).mapToLong(s -> s.maxBacklog).max().orElse(0);
    }

    /** The largest backlog before the measured seconds (the warm-up). */
    long warmupMaxBacklog() {
        return seconds.stream().filter(s -> !measured(s)).mapToLong(s -> s.maxBacklog).max().orElse(0);
    }

    /** The measured seconds with the slowest requests, slowest first. */
    List<Second> worst(int n) {
        return seconds.stream().filter(this::measured).filter(s -> s.count() > 0)
                .sorted(Comparator.comparingDouble(Second::maxMillis).reversed()).limit(n).toList();
    }

    static final String CSV_HEADER = "second,epoch_ms,measured,planned,sent,answered,errors,max_backlog,max_in_flight,"
            + "loop_lag_ms,latency_count,p50_ms,p99_ms,max_ms";

    /** One line per second: {@link #CSV_HEADER}. */
    void writeCsv(Writer out) throws IOException {
        out.write(CSV_HEADER + "\n");
        for (Second s : seconds) {
            out.write(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%d,%d,%d,%.3f,%d,%.3f,%.3f,%.3f%n", s.index,
                    startEpochMillis + s.index * 1000L, measured(s) ? 1 : 0, s.planned, s.sent, s.answered, s.errors,
                    s.maxBacklog, s.maxInFlight, s.maxLoopLagNanos / 1e6, s.count(), s.millis(50), s.millis(99),
                    s.maxMillis()));
        }
    }

    /** The measured seconds with the slowest requests, one line each, for the summary. */
    String worstSummary(int n) {
        StringBuilder out = new StringBuilder();
        for (Second s : worst(n)) {
            out.append(String.format(Locale.ROOT, "  second %d (epoch ms %d): %d requests, p50 %.2f ms, p99 %.2f ms, "
                            + "max %.2f ms; backlog up to %d, in flight up to %d, generator loop lag up to %.1f ms%n",
                    s.index, startEpochMillis + s.index * 1000L, s.count(), s.millis(50), s.millis(99), s.maxMillis(),
                    s.maxBacklog, s.maxInFlight, s.maxLoopLagNanos / 1e6));
        }
        return out.toString();
    }

    private Second at(long nanos) {
        int index = (int) Math.max(0, (nanos - startNanos) / SECOND);
        while (seconds.size() <= index) {
            seconds.add(new Second(seconds.size()));
        }
        return seconds.get(index);
    }
}
