package io.idemgate.gateway.route;

import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.identity.ScopeResolvers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The ordered route rules; the first rule that fits a request wins. Immutable; a reload builds a new table. */
public final class RouteTable {

    /** The built-in default of {@code idempotency.methods}: a request in another case is refused even with no route using them. */
    private static final Set<String> DEFAULT_IDEMPOTENCY_METHODS = Set.of("POST", "PATCH");

    private final Route[] routes;
    private final List<RouteConfig> configs;
    private final Set<String> idempotencyMethods;
    /** Whether any rule matches on the host: if none does, the Host header is not normalised (a copy per request). */
    private final boolean byHost;

    /** Without a gateway (tests, benchmarks): JWKS fetches of {@code scope.jwt} routes are not reported. */
    public RouteTable(List<RouteConfig> configs) {
        this(configs, ScopeResolvers.unreported());
    }

    public RouteTable(List<RouteConfig> configs, ScopeResolvers scopes) {
        List<Route> compiled = new ArrayList<>(configs.size());
        for (RouteConfig c : configs) {
            compiled.add(new Route(c, scopes));
        }
        this.routes = compiled.toArray(new Route[0]);
        this.configs = List.copyOf(configs);
        Set<String> methods = new HashSet<>(DEFAULT_IDEMPOTENCY_METHODS);
        for (RouteConfig c : configs) {
            methods.addAll(c.idempotency().methods());
        }
        this.idempotencyMethods = Set.copyOf(methods);
        this.byHost = configs.stream().anyMatch(c -> c.match().host().isPresent());
    }

    /**
     * Methods are case-sensitive (RFC 9110 §9.1), so {@code post} is not {@code POST} and would pass a
     * deduplicated route through untouched while an upstream that folds case executes it: such a
     * request must be refused before routing.
     */
    public boolean isIdempotencyMethodInAnotherCase(String method) {
        if (idempotencyMethods.contains(method)) {
            return false;
        }
        String upper = method.toUpperCase(Locale.ROOT);
        return !upper.equals(method) && idempotencyMethods.contains(upper);
    }

    /**
     * @param hostHeader the Host header as sent (port and case are ignored), may be null
     * @param path the request path without query
     * @return the first matching route, or null
     */
    public Route match(String hostHeader, String path, String method) {
        String host = byHost ? normalizeHost(hostHeader) : null; // Route.matches reads it only for a host rule
        for (Route r : routes) {
            if (r.matches(host, path, method)) {
                return r;
            }
        }
        return null;
    }

    public List<RouteConfig> configs() {
        return configs;
    }

    static String normalizeHost(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return null;
        }
        String h = hostHeader;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            h = close > 0 ? h.substring(0, close + 1) : h;
        } else {
            int colon = h.lastIndexOf(':');
            if (colon >= 0) {
                h = h.substring(0, colon);
            }
        }
        return h.toLowerCase(Locale.ROOT);
    }
}
