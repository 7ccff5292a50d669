package io.idemgate.gateway.config;

import java.util.Objects;

/** One route rule: what it matches, where it forwards, and its idempotency policy. */
public record RouteConfig(String name, MatchConfig match, UpstreamConfig upstream, IdempotencyConfig idempotency) {

    public RouteConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(idempotency, "idempotency");
    }
}
