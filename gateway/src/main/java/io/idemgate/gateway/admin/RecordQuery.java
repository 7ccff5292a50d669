package io.idemgate.gateway.admin;

import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.idempotency.KeyHasher;
import io.idemgate.gateway.idempotency.RecordKey;
import io.idemgate.gateway.idempotency.ScopeHasher;
import java.util.List;
import java.util.Map;

/**
 * The query of {@code /admin/records}, resolved into the record's identity the same way the exchange
 * builds it: route name, hash of the route's scope headers, key. The {@code scope} parameters stand in for
 * the scope headers, one per configured header in config order; a missing one means the header was absent.
 * Scope values go straight into the hash and are never kept or echoed.
 *
 * @param withBody whether the caller asked for the stored body ({@code body=true})
 */
record RecordQuery(String route, RecordKey recordKey, boolean withBody) {

    /** A query the endpoint must refuse; carries the problem to answer with. */
    static final class Refused extends RuntimeException {

        private final Problem problem;

        Refused(Problem problem, String detail) {
            super(detail, null, false, false);
            this.problem = problem;
        }

        Problem problem() {
            return problem;
        }
    }

    /**
     * @param allowed the parameters this method accepts; anything else is refused so a typo such as
     *                {@code scopes=} cannot silently look up the unscoped record
     * @throws Refused when the query is malformed or names no current route
     */
    static RecordQuery parse(AdminRequest request, List<RouteConfig> routes, List<String> allowed, KeyHasher keyHasher) {
        for (Map.Entry<String, List<String>> p : request.params().entrySet()) {
            if (!allowed.contains(p.getKey())) {
                // The name is not echoed: a mistyped query can put a scope value (a credential) in that place.
                throw bad("unknown query parameter; expected only " + String.join(", ", allowed));
            }
            if (!p.getKey().equals("scope") && p.getValue().size() > 1) {
                throw bad("query parameter '" + p.getKey() + "' given more than once");
            }
        }
        String routeName = request.param("route").orElseThrow(() -> bad("query parameter 'route' is required"));
        String key = request.param("key").filter(k -> !k.isEmpty())
                .orElseThrow(() -> bad("query parameter 'key' is required"));
        RouteConfig route = routes.stream().filter(r -> r.name().equals(routeName)).findFirst()
                .orElseThrow(() -> new Refused(Problem.ADMIN_NO_SUCH_ROUTE, "no such route; GET /admin/routes lists them"));
        List<String> scope = request.params().getOrDefault("scope", List.of());
        var jwt = route.idempotency().scope().jwt();
        if (jwt.isPresent()) {
            // A scope.jwt route's scope is its claims: the query names their values, in config order.
            List<String> claims = jwt.get().claims();
            if (scope.size() != claims.size()) {
                throw bad("route '" + route.name() + "' is scoped by the token claims " + claims
                        + ": give one scope value per claim, in that order");
            }
            String scopeHash = ScopeHasher.hashClaims(claims, name -> List.of(scope.get(claims.indexOf(name))));
            return new RecordQuery(route.name(), RecordKey.of(route.name(), scopeHash, key, null, keyHasher), withBody(request));
        }
        List<String> headers = route.idempotency().scopeHeaders();
        if (scope.size() > headers.size()) {
            throw bad("route '" + route.name() + "' has " + headers.size() + " scope header(s) " + headers
                    + " but the query has " + scope.size() + " scope values");
        }
        String scopeHash = ScopeHasher.hash(headers, name -> {
            int i = headers.indexOf(name);
            return i < scope.size() ? List.of(scope.get(i)) : List.of();
        });
        return new RecordQuery(route.name(), RecordKey.of(route.name(), scopeHash, key, null, keyHasher), withBody(request));
    }

    private static boolean withBody(AdminRequest request) {
        String body = request.param("body").orElse("false");
        if (!body.equals("true") && !body.equals("false")) {
            throw bad("query parameter 'body' must be true or false");
        }
        return body.equals("true");
    }

    private static Refused bad(String detail) {
        return new Refused(Problem.ADMIN_BAD_QUERY, detail);
    }
}
