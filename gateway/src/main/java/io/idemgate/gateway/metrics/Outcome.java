package io.idemgate.gateway.metrics;

import java.util.Locale;

/** The {@code outcome} label of {@code idemgate_requests_total}: how the gateway handled one request (SPEC §5). */
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
    OVERLOADED;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The label value exactly as SPEC §5 spells it; part of the contract, dashboards query it. */
    public String label() {
        return label;
    }
}
