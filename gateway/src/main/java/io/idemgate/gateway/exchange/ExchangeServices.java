package io.idemgate.gateway.exchange;

import io.idemgate.gateway.config.ServerConfig;
import io.idemgate.gateway.http.ForwardedHeaders;
import io.idemgate.gateway.idempotency.KeyHasher;
import io.idemgate.gateway.metrics.GatewayMetrics;
import io.idemgate.gateway.route.Routing;
import io.idemgate.gateway.store.IdempotencyStore;
import java.util.function.Supplier;

/**
 * What every exchange shares: the current routing, metrics, header rules, the access log, the drain
 * flag, the idempotency store, the source of attempt owner ids and the budget for buffered bodies.
 */
public record ExchangeServices(
        Supplier<Routing> routing,
        ServerConfig server,
        GatewayMetrics metrics,
        ForwardedHeaders forwarded,
        AccessLog accessLog,
        DrainSignal drain,
        IdempotencyStore store,
        OwnerIds owners,
        BufferedBodyBudget bodyBudget,
        KeyHasher keyHasher) {
}
