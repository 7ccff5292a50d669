package io.idemgate.gateway.identity;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Whose record a request's key belongs to, or why the gateway cannot tell. */
public sealed interface ScopeResult {

    /** @param hash the scope hash that goes into the record's identity; never a credential in clear */
    record Resolved(String hash) implements ScopeResult {
    }

    /** The request carries none of the route's scope headers and the route does not share anonymous requests. */
    record Required(List<String> headers) implements ScopeResult {
    }

    /** {@code scope.jwt}: the token is missing, malformed, forged, expired or not for us. The reason never holds the token. */
    record InvalidToken(String reason) implements ScopeResult {
    }

    /** {@code scope.jwt}: the keys to verify the token with cannot be had right now (JWKS fetch failed). */
    record Unavailable(String reason) implements ScopeResult {
    }

    /** Verification runs off the event loop; the future completes with one of the other results, never exceptionally. */
    record Pending(CompletableFuture<ScopeResult> future) implements ScopeResult {
    }
}
