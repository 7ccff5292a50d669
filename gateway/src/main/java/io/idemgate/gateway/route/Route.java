package io.idemgate.gateway.route;

import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.identity.ScopeResolver;
import io.idemgate.gateway.identity.ScopeResolvers;
import java.util.Locale;

/** A route rule compiled for matching. Immutable. */
public final class Route {

    private final RouteConfig config;
    private final PathGlob path;
    private final String host;
    private final RouteIdempotency idempotency;

    public Route(RouteConfig config) {
        this(config, ScopeResolvers.unreported());
    }

    public Route(RouteConfig config, ScopeResolvers scopes) {
        this(config, scopes.forRoute(config.name(), config.idempotency().scope()));
    }

    /** @param scope resolves the scope of the route's idempotent requests (a test may bring its own) */
    public Route(RouteConfig config, ScopeResolver scope) {
        this.config = config;
        this.path = PathGlob.compile(config.match().path());
        this.host = config.match().host().map(h -> h.toLowerCase(Locale.ROOT)).orElse(null);
        this.idempotency = new RouteIdempotency(config.idempotency(), scope);
    }

    public RouteIdempotency idempotency() {
        return idempotency;
    }

    public String name() {
        return config.name();
    }

    public RouteConfig config() {
        return config;
    }

    /**
     * @param host the request's host without port, lower-case, or null when the request had none
     * @param path the path without query
     */
    public boolean matches(String host, String path, String method) {
        if (this.host != null && !this.host.equals(host)) {
            return false;
        }
        if (!config.match().methods().isEmpty() && !config.match().methods().contains(method)) {
            return false;
        }
        return this.path.matches(path);
    }
}
