package io.idemgate.gateway.metrics;

import io.idemgate.gateway.idempotency.Outcome;
import java.util.Locale;

/**
 * The {@code outcome} label of {@code idemgate_requests_total} and of the access and decision logs: an
 * {@link Outcome} exactly as SPEC §5 spells it. Part of the contract; dashboards query it.
 */
public final class OutcomeLabel {

    private static final String[] LABELS = new String[Outcome.values().length];

    static {
        for (Outcome o : Outcome.values()) {
            LABELS[o.ordinal()] = o.name().toLowerCase(Locale.ROOT);
        }
    }

    private OutcomeLabel() {
    }

    public static String of(Outcome outcome) {
        return LABELS[outcome.ordinal()];
    }
}
