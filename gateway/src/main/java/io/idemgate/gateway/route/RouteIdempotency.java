package io.idemgate.gateway.route;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.idempotency.DecisionRules;
import io.idemgate.gateway.idempotency.Fingerprinter;
import io.idemgate.gateway.idempotency.StoredHeaders;
import io.idemgate.gateway.identity.ScopeResolver;

/**
 * A route's idempotency policy compiled once from its config into the domain's terms, so the request
 * path builds nothing per request.
 */
public final class RouteIdempotency {

    private final Fingerprinter fingerprinter;
    private final DecisionRules rules;
    private final ScopeResolver scope;
    private final StoredHeaders storedHeaders;

    RouteIdempotency(IdempotencyConfig c, ScopeResolver scope) {
        this.fingerprinter = new Fingerprinter(c.fingerprint());
        this.rules = new DecisionRules(c.key().required() && c.mode() == IdempotencyConfig.Mode.KEY,
                c.mode() == IdempotencyConfig.Mode.SHADOW, c.concurrent() == IdempotencyConfig.Concurrent.WAIT,
                c.storeStatus()::contains, c.releaseStatus()::contains);
        this.scope = scope;
        this.storedHeaders = new StoredHeaders(c.replay().excludeHeaders(), c.scope().anonymousShared());
    }

    public StoredHeaders storedHeaders() {
        return storedHeaders;
    }

    public ScopeResolver scope() {
        return scope;
    }

    public Fingerprinter fingerprinter() {
        return fingerprinter;
    }

    public DecisionRules rules() {
        return rules;
    }
}
