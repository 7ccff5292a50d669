package io.idemgate.gateway.metrics;

import static io.idemgate.gateway.metrics.MetricNames.*;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Owns the gateway's Prometheus registry and every metric of SPEC §5. Thread-safe; the per-route and
 * per-store-operation data points are resolved once and cached so the request path does no label lookup.
 */
public final class GatewayMetrics {

    // Idempotency work is in-process hashing plus one or two store round trips: tens of µs to a slow Redis second.
    static final double[] OVERHEAD_BUCKETS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
    static final double[] STORE_BUCKETS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    // Upstream calls and waits for them: a millisecond to the longest sensible response timeout.
    static final double[] UPSTREAM_BUCKETS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final PrometheusRegistry registry;
    final Counter requests;
    final Histogram dedupOverhead;
    final Histogram wait;
    final Histogram upstreamRequest;
    final Counter leaseLost;
    private final Histogram storeOperation;
    private final Counter storeErrors;
    private final Counter rejected;
    private final Gauge storeCircuitState;
    private final Counter jwksFetches;
    private final CounterDataPoint reloadSuccess;
    private final CounterDataPoint reloadFailure;
    private final Counter tlsHandshakes;
    private final CounterDataPoint handshakeH2;
    private final CounterDataPoint handshakeHttp1;
    private final CounterDataPoint handshakeFailure;
    private final CounterDataPoint certReloadSuccess;
    private final CounterDataPoint certReloadFailure;

    private final Map<String, RouteMetrics> routes = new ConcurrentHashMap<>();
    private final Map<String, DistributionDataPoint> storeOperations = new ConcurrentHashMap<>();
    private final Map<String, CounterDataPoint> storeErrorPoints = new ConcurrentHashMap<>();
    private final Map<RejectReason, CounterDataPoint> rejectedPoints = new java.util.EnumMap<>(RejectReason.class);

    public GatewayMetrics(PrometheusRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        requests = Counter.builder().name(REQUESTS)
                .help("Requests handled by a route, by how the gateway handled them")
                .labelNames(LABEL_ROUTE, LABEL_OUTCOME).withoutExemplars().register(registry);
        dedupOverhead = histogram(DEDUP_OVERHEAD, OVERHEAD_BUCKETS,
                "Time spent on idempotency work (fingerprint, store calls), excluding upstream time and waiting",
                LABEL_ROUTE);
        wait = histogram(WAIT, UPSTREAM_BUCKETS,
                "How long duplicates waited for the first request with their key to finish", LABEL_ROUTE);
        storeOperation = histogram(STORE_OPERATION, STORE_BUCKETS,
                "Latency of idempotency store operations", LABEL_OPERATION, LABEL_RESULT);
        upstreamRequest = histogram(UPSTREAM_REQUEST, UPSTREAM_BUCKETS,
                "Upstream request latency until the response head, by status class (or timeout/error)",
                LABEL_ROUTE, LABEL_STATUS_CLASS);
        // Read from each route's adders at scrape time: a route's series exist (at 0) once the route is known.
        GaugeWithCallback.builder().name(INFLIGHT)
                .help("Requests of a route currently being handled")
                .labelNames(LABEL_ROUTE)
                .callback(cb -> routes.values().forEach(m -> cb.call(m.inflight(), m.route()))).register(registry);
        GaugeWithCallback.builder().name(WAITING)
                .help("Duplicates of a route parked right now, waiting for the first request with their key")
                .labelNames(LABEL_ROUTE)
                .callback(cb -> routes.values().forEach(m -> cb.call(m.waiting(), m.route()))).register(registry);
        leaseLost = Counter.builder().name(LEASE_LOST)
                .help("In-flight records whose lease expired or was taken over before the result was stored")
                .labelNames(LABEL_ROUTE).withoutExemplars().register(registry);
        storeErrors = Counter.builder().name(STORE_ERRORS)
                .help("Idempotency store operations that failed (error or timeout)")
                .labelNames(LABEL_OPERATION).withoutExemplars().register(registry);
        rejected = Counter.builder().name(REJECTED)
                .help("Requests refused before an exchange could serve them (malformed, bad target, timeouts, no route)")
                .labelNames(LABEL_REASON).withoutExemplars().register(registry);
        Counter reloads = Counter.builder().name(CONFIG_RELOADS)
                .help("Route-rule reloads (admin endpoint, SIGHUP or file change), by result")
                .labelNames(LABEL_RESULT).withoutExemplars().register(registry);
        storeCircuitState = Gauge.builder().name(STORE_CIRCUIT_STATE)
                .help("Idempotency store circuit breaker: 0 closed (calls pass), 1 open (calls refused), 2 half-open (probing)")
                .withoutExemplars().register(registry);
        jwksFetches = Counter.builder().name(JWKS_FETCHES)
                .help("JWKS fetches of scope.jwt routes, by result; a failure keeps the previous key set")
                .labelNames(LABEL_ROUTE, LABEL_RESULT).withoutExemplars().register(registry);
        // Both series exist from the start, so an alert on failures sees 0 rather than no data.
        reloadSuccess = reloads.labelValues("success");
        reloadFailure = reloads.labelValues("failure");
        for (RejectReason reason : RejectReason.values()) {
            rejectedPoints.put(reason, rejected.labelValues(reason.label()));
        }
        tlsHandshakes = Counter.builder().name(TLS_HANDSHAKES)
                .help("TLS handshakes with clients, by result and the protocol chosen by ALPN (empty on failure)")
                .labelNames(LABEL_RESULT, LABEL_PROTOCOL).withoutExemplars().register(registry);
        handshakeH2 = tlsHandshakes.labelValues("success", "h2");
        handshakeHttp1 = tlsHandshakes.labelValues("success", "http/1.1");
        handshakeFailure = tlsHandshakes.labelValues("failure", "");
        Counter certReloads = Counter.builder().name(TLS_CERTIFICATE_RELOADS)
                .help("Certificate reloads after their files changed, by result (failure: the old certificate stays)")
                .labelNames(LABEL_RESULT).withoutExemplars().register(registry);
        certReloadSuccess = certReloads.labelValues("success");
        certReloadFailure = certReloads.labelValues("failure");
    }

    /** @param protocol {@code h2} or {@code http/1.1} on success; ignored on failure */
    public void tlsHandshake(boolean success, String protocol) {
        if (!success) {
            handshakeFailure.inc();
        } else if ("h2".equals(protocol)) {
            handshakeH2.inc();
        } else {
            handshakeHttp1.inc();
        }
    }

    public void certificateReload(boolean success) {
        (success ? certReloadSuccess : certReloadFailure).inc();
    }

    private Histogram histogram(String name, double[] buckets, String help, String... labels) {
        return Histogram.builder().name(name).unit(Unit.SECONDS).help(help).labelNames(labels)
                .classicOnly().classicUpperBounds(buckets).withoutExemplars().register(registry);
    }

    /** The bytes of request bodies held for fingerprinting right now (bounded by {@code server.max-buffered-request-bytes}). */
    public void registerBufferedRequestBytes(java.util.function.LongSupplier bytes) {
        GaugeWithCallback.builder().name(BUFFERED_REQUEST_BYTES).unit(Unit.BYTES)
                .help("Request bodies buffered for fingerprinting right now, all connections together")
                .callback(cb -> cb.call(bytes.getAsLong())).register(registry);
    }

    /** What the warm-up before the start did (docs/deploy.md, "Warm start"); registered only after one ran. */
    public void registerWarmUp(long requests, double seconds) {
        GaugeWithCallback.builder().name(WARM_UP_REQUESTS)
                .help("Requests the warm-up sent through a private copy of the gateway before this one started")
                .callback(cb -> cb.call(requests)).register(registry);
        GaugeWithCallback.builder().name(WARM_UP_SECONDS).unit(Unit.SECONDS)
                .help("How long the warm-up before the start took")
                .callback(cb -> cb.call(seconds)).register(registry);
    }

    /** What the store reports about the safety of its records (SPEC §2). */
    public void registerStoreHealth(io.idemgate.gateway.store.StoreHealth health) {
        GaugeWithCallback.builder().name(STORE_EVICTION_RISK)
                .help("1 when the store may evict live records to make room (Redis maxmemory-policy other than noeviction)")
                .callback(cb -> cb.call(health.atEvictionRisk() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name(STORE_FILL)
                .help("How full the memory store is (records or bytes, whichever is fuller); at 1 new keys are a store failure")
                .callback(cb -> cb.call(health.fill())).register(registry);
        GaugeWithCallback.builder().name(STORE_SCRIPT_FREE_CLAIMS)
                .help("1 when a Redis claim of a key holding nothing is one SET NX GET, 0 when it runs the claim script")
                .callback(cb -> cb.call(health.scriptFreeClaims() ? 1 : 0)).register(registry);
        CounterWithCallback.builder().name(STORE_UNCONFIRMED_COMPLETIONS)
                .help("Completions stored on the Redis master but not confirmed by min-replicas replicas in time")
                .callback(cb -> cb.call(health.unconfirmedCompletions())).register(registry);
    }

    /** Access lines dropped because the writer could not keep up (its queue was full). */
    public void registerAccessLogDropped(java.util.function.LongSupplier dropped) {
        CounterWithCallback.builder().name(ACCESS_LOG_DROPPED)
                .help("Access log lines dropped because the writer's queue was full")
                .callback(cb -> cb.call(dropped.getAsLong())).register(registry);
    }

    /**
     * The Redis store's per-event-loop links by state ({@code up}, {@code borrowing}: down but served by
     * another loop's link, {@code down}) and the commands sent on a borrowed link.
     */
    public void registerStoreLinks(java.util.function.ToIntFunction<String> linksInState,
                                   java.util.function.LongSupplier borrowed) {
        GaugeWithCallback.builder().name(STORE_LINKS)
                .help("Redis store links (one per event loop) by state: up, borrowing (down, served by another loop's link), down")
                .labelNames(LABEL_STATE)
                .callback(cb -> {
                    for (String state : new String[] {"up", "borrowing", "down"}) {
                        cb.call(linksInState.applyAsInt(state), state);
                    }
                }).register(registry);
        CounterWithCallback.builder().name(STORE_LINK_BORROWED)
                .help("Redis commands an event loop sent on another loop's link because its own was down")
                .callback(cb -> cb.call(borrowed.getAsLong())).register(registry);
    }

    /** Adds the client library's JVM and process metrics. Call once: they register only once per registry. */
    public void registerJvmMetrics() {
        JvmMetrics.builder().register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The metrics of one route, created on first use with all its outcome series at 0. */
    public RouteMetrics route(String routeName) {
        RouteMetrics m = routes.get(routeName);
        return m != null ? m : routes.computeIfAbsent(routeName, name -> new RouteMetrics(this, name));
    }

    public void rejected(RejectReason reason) {
        rejectedPoints.get(reason).inc(); // every reason's point exists from the start: no lookup races
    }

    /**
     * @param op the store operation, e.g. {@code claim}, {@code complete}, {@code release}
     * @param result e.g. {@code ok}, {@code error}, {@code timeout}
     */
    public void storeOperation(String op, String result, long nanos) {
        String key = op + '\u0000' + result;
        DistributionDataPoint p = storeOperations.get(key);
        if (p == null) {
            p = storeOperations.computeIfAbsent(key, k -> storeOperation.labelValues(op, result));
        }
        p.observe(RouteMetrics.seconds(nanos));
    }

    /** Counts one reload attempt: applied ({@code success}) or rejected with the old rules kept ({@code failure}). */
    public void jwksFetched(String route, boolean success) {
        jwksFetches.labelValues(route, success ? "success" : "failure").inc();
    }

    public void configReload(boolean success) {
        (success ? reloadSuccess : reloadFailure).inc();
    }

    /** @param state 0 closed, 1 open, 2 half-open */
    public void storeCircuitState(int state) {
        storeCircuitState.set(state);
    }

    public void storeError(String op) {
        CounterDataPoint p = storeErrorPoints.get(op);
        if (p == null) {
            p = storeErrorPoints.computeIfAbsent(op, storeErrors::labelValues);
        }
        p.inc();
    }
}
