package io.idemgate.gateway.metrics;

/**
 * Every metric and label name the gateway exposes. The names are part of the contract (SPEC §5):
 * dashboards and alerts query them, so changing one is a breaking change. Names are given as they
 * appear in the exposition; client_java adds the {@code _total} suffix of counters itself.
 */
public final class MetricNames {

    public static final String REQUESTS = "idemgate_requests_total";
    public static final String DEDUP_OVERHEAD = "idemgate_dedup_overhead_seconds";
    public static final String WAIT = "idemgate_wait_seconds";
    public static final String STORE_OPERATION = "idemgate_store_operation_seconds";
    public static final String UPSTREAM_REQUEST = "idemgate_upstream_request_seconds";
    public static final String INFLIGHT = "idemgate_inflight_requests";
    /** Extra, not in SPEC §5: duplicates parked on an in-flight key (they are not upstream exchanges). */
    public static final String WAITING = "idemgate_waiting_requests";
    public static final String LEASE_LOST = "idemgate_lease_lost_total";
    public static final String STORE_ERRORS = "idemgate_store_errors_total";
    /** Not in SPEC §5: requests refused before any route was chosen, so they have no {@code route} label. */
    public static final String REJECTED = "idemgate_rejected_requests_total";
    /** Not in SPEC §5: route-rule reloads by result ({@code success} or {@code failure}). */
    public static final String CONFIG_RELOADS = "idemgate_config_reloads_total";
    /** Not in SPEC §5: the store circuit breaker's state, 0 closed, 1 open, 2 half-open (probing). */
    public static final String STORE_CIRCUIT_STATE = "idemgate_store_circuit_state";
    public static final String STORE_LINKS = "idemgate_store_links";
    public static final String STORE_LINK_BORROWED = "idemgate_store_link_borrowed_total";
    public static final String STORE_FILL = "idemgate_store_fill_ratio";
    public static final String STORE_EVICTION_RISK = "idemgate_store_eviction_risk";
    public static final String STORE_SCRIPT_FREE_CLAIMS = "idemgate_store_script_free_claims";
    public static final String STORE_UNCONFIRMED_COMPLETIONS = "idemgate_store_unconfirmed_completions_total";
    public static final String ACCESS_LOG_DROPPED = "idemgate_access_log_dropped_total";
    public static final String BUFFERED_REQUEST_BYTES = "idemgate_buffered_request_bytes";
    public static final String WARM_UP_REQUESTS = "idemgate_warm_up_requests";
    public static final String WARM_UP_SECONDS = "idemgate_warm_up_seconds";
    /** Not in SPEC §5: JWKS fetches of {@code scope.jwt} routes, by route and result. */
    public static final String JWKS_FETCHES = "idemgate_jwks_fetches_total";
    public static final String TLS_HANDSHAKES = "idemgate_tls_handshakes_total";
    /** Not in SPEC §5: certificate reloads after a file change, by result (a failure keeps the old one). */
    public static final String TLS_CERTIFICATE_RELOADS = "idemgate_tls_certificate_reloads_total";

    public static final String LABEL_ROUTE = "route";
    public static final String LABEL_OUTCOME = "outcome";
    public static final String LABEL_OPERATION = "operation";
    public static final String LABEL_RESULT = "result";
    public static final String LABEL_STATUS_CLASS = "status_class";
    public static final String LABEL_REASON = "reason";
    public static final String LABEL_STATE = "state";
    public static final String LABEL_PROTOCOL = "protocol";

    private MetricNames() {
    }
}
