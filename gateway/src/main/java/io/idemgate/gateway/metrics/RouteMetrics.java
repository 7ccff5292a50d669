package io.idemgate.gateway.metrics;

import io.idemgate.gateway.idempotency.Outcome;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The data points of one route, resolved once so the request path only increments. Thread-safe.
 * Obtain through {@link GatewayMetrics#route(String)}.
 */
public final class RouteMetrics {

    private volatile long typicalNanos;

    public static final String TIMEOUT = "timeout";
    public static final String ERROR = "error";

    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx", TIMEOUT, ERROR};

    private final GatewayMetrics metrics;
    private final String route;
    private final CounterDataPoint[] outcomes = new CounterDataPoint[OUTCOMES.length];
    // Filled on first use: seven histograms per route that mostly stay empty would bloat every scrape.
    private final AtomicReferenceArray<DistributionDataPoint> upstream =
            new AtomicReferenceArray<>(STATUS_CLASSES.length);
    private final DistributionDataPoint dedupOverhead;
    private final DistributionDataPoint waited;
    // Plain adders read by the scrape's callback (GatewayMetrics): a Gauge data point's inc/dec makes a
    // capturing lambda inside the client library on every call, twice per exchange.
    private final LongAdder inflight = new LongAdder();
    private final LongAdder waiting = new LongAdder();
    private final CounterDataPoint leaseLost;

    RouteMetrics(GatewayMetrics metrics, String route) {
        this.metrics = metrics;
        this.route = route;
        for (Outcome o : OUTCOMES) {
            outcomes[o.ordinal()] = metrics.requests.labelValues(route, OutcomeLabel.of(o));
        }
        dedupOverhead = metrics.dedupOverhead.labelValues(route);
        waited = metrics.wait.labelValues(route);
        leaseLost = metrics.leaseLost.labelValues(route);
    }

    public String route() {
        return route;
    }

    public void count(Outcome outcome) {
        outcomes[outcome.ordinal()].inc();
    }

    /** The {@code status_class} label of an upstream response status: {@code "1xx"} … {@code "5xx"}. */
    public static String statusClass(int status) {
        int c = status / 100;
        return c >= 1 && c <= 5 ? STATUS_CLASSES[c - 1] : ERROR;
    }

    /** @param statusClass {@code "1xx"} … {@code "5xx"}, {@link #TIMEOUT} or {@link #ERROR} */
    public void upstreamLatency(String statusClass, long nanos) {
        int i = indexOf(statusClass);
        DistributionDataPoint p = upstream.get(i);
        if (p == null) {
            // labelValues returns the same data point to racing threads, so a lost race is harmless.
            p = metrics.upstreamRequest.labelValues(route, STATUS_CLASSES[i]);
            upstream.set(i, p);
        }
        p.observe(seconds(nanos));
        // Racy read-modify-write on purpose: an approximate moving average is all Retry-After needs.
        long t = typicalNanos;
        typicalNanos = t == 0 ? nanos : t + ((nanos - t) >> 3);
    }

    /** A moving average of the upstream's answer time (0 before the first), for {@code Retry-After}. */
    public long typicalUpstreamNanos() {
        return typicalNanos;
    }

    private static int indexOf(String statusClass) {
        switch (statusClass) {
            case "1xx": return 0;
            case "2xx": return 1;
            case "3xx": return 2;
            case "4xx": return 3;
            case "5xx": return 4;
            case TIMEOUT: return 5;
            case ERROR: return 6;
            default: throw new IllegalArgumentException("unknown status class: " + statusClass);
        }
    }

    public void inflightIncrement() {
        inflight.increment();
    }

    public void inflightDecrement() {
        inflight.decrement();
    }

    /** A duplicate parked (+1) or woken, timed out, gone (-1). */
    public void waitingChanged(int delta) {
        waiting.add(delta);
    }

    /** Requests of this route in an upstream exchange now (the scrape's view; exact when nothing moves). */
    long inflight() {
        return inflight.sum();
    }

    /** Duplicates of this route parked now. */
    long waiting() {
        return waiting.sum();
    }

    public void dedupOverhead(long nanos) {
        dedupOverhead.observe(seconds(nanos));
    }

    public void waited(long nanos) {
        waited.observe(seconds(nanos));
    }

    public void leaseLost() {
        leaseLost.inc();
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
