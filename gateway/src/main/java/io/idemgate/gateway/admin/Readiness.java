package io.idemgate.gateway.admin;

import java.util.Objects;

/** The answer of a {@link ReadinessCheck}; {@code detail} is shown to whoever asks {@code /readyz}. */
public record Readiness(boolean ready, String detail) {

    public Readiness {
        Objects.requireNonNull(detail, "detail");
    }

    public static Readiness ready(String detail) {
        return new Readiness(true, detail);
    }

    public static Readiness notReady(String detail) {
        return new Readiness(false, detail);
    }
}
