package io.idemgate.gateway.idempotency;

/**
 * How the gateway handled one request: the domain's vocabulary of results (SPEC §5). Metrics and logs
 * spell each as a label ({@code metrics/OutcomeLabel}).
 */
public enum Outcome {
    PASSTHROUGH,
    EXECUTED,
    REPLAYED,
    WAITED,
    CONFLICT,
    MISMATCH,
    MISSING_KEY,
    INVALID_KEY,
    TOO_LARGE,
    STORE_UNAVAILABLE,
    FAIL_OPEN,
    OUTCOME_UNKNOWN,
    UPSTREAM_ERROR,
    SHADOW_FIRST,
    SHADOW_DUPLICATE,
    SCOPE_REQUIRED,
    INVALID_TOKEN,
    OVERLOADED,
    INVALID_JSON
}
