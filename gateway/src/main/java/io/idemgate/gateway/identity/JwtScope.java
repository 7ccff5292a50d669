package io.idemgate.gateway.identity;

import com.nimbusds.jose.jwk.JWKSet;
import io.idemgate.gateway.config.IdempotencyConfig;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * {@code scope.jwt}: the scope is claims of a verified bearer token, so a client whose access token is
 * refreshed between a request and its retry keeps its scope (and gets its replay) as long as the
 * claims (default {@code sub}) stay the same. HS256 is verified on the calling event loop (a few
 * microseconds); RS256/ES256/EdDSA, which cost up to a millisecond, on a small bounded pool, and the
 * exchange parks on the result. Verified tokens are cached until they expire. The token itself is
 * never logged or kept anywhere but that cache.
 */
final class JwtScope implements ScopeResolver {

    static final int CACHE_ENTRIES = 4096;

    private static final ScopeResult NO_TOKEN = new ScopeResult.InvalidToken("no bearer token");
    private static final ScopeResult BUSY = new ScopeResult.Unavailable("token verification queue full");
    private static final ScopeResult NO_KEYS = new ScopeResult.Unavailable("no JWKS could be fetched yet");

    private final String header;
    private final TokenVerifier verifier;
    private final JwksKeys keys; // null on HS256 routes
    private final Executor pool;
    private final Clock clock;
    private final TokenCache cache = new TokenCache(CACHE_ENTRIES);

    JwtScope(IdempotencyConfig.Jwt config, JwksKeys keys, Executor pool, Clock clock) {
        this.header = config.header();
        this.verifier = new TokenVerifier(config);
        this.keys = keys;
        this.pool = pool;
        this.clock = clock;
    }

    @Override
    public ScopeResult resolve(Function<String, List<String>> headerValues) {
        String token = bearer(headerValues.apply(header));
        if (token == null) {
            return NO_TOKEN;
        }
        long now = clock.millis();
        String cached = cache.get(token, now);
        if (cached != null) {
            return new ScopeResult.Resolved(cached);
        }
        if (verifier.symmetric()) {
            return finish(token, verifier.verify(token, null, now), now);
        }
        CompletableFuture<ScopeResult> result = new CompletableFuture<>();
        try {
            pool.execute(() -> verifyWithKeys(token, result));
        } catch (RejectedExecutionException e) {
            return BUSY;
        }
        return new ScopeResult.Pending(result);
    }

    /** Off the event loop. Completes {@code result} on every path, never exceptionally. */
    private void verifyWithKeys(String token, CompletableFuture<ScopeResult> result) {
        try {
            JWKSet set = keys.current();
            if (set != null) {
                TokenVerifier.Verification v = verifier.verify(token, set, clock.millis());
                if (!(v instanceof TokenVerifier.Verification.UnknownKey)) {
                    result.complete(finish(token, v, clock.millis()));
                    return;
                }
            }
            CompletableFuture<JWKSet> refetch = keys.refetchForUnknownKey();
            if (refetch == null) {
                result.complete(set == null ? NO_KEYS : new ScopeResult.InvalidToken("unknown key id"));
                return;
            }
            // Runs on the thread that finished the fetch: not an event loop either.
            refetch.whenComplete((fresh, err) -> {
                try {
                    if (fresh == null) {
                        result.complete(NO_KEYS);
                        return;
                    }
                    TokenVerifier.Verification v = verifier.verify(token, fresh, clock.millis());
                    result.complete(v instanceof TokenVerifier.Verification.UnknownKey
                            ? new ScopeResult.InvalidToken("unknown key id") : finish(token, v, clock.millis()));
                } catch (RuntimeException e) {
                    result.complete(new ScopeResult.InvalidToken("verification failed: " + e.getClass().getSimpleName()));
                }
            });
        } catch (RuntimeException e) {
            result.complete(new ScopeResult.InvalidToken("verification failed: " + e.getClass().getSimpleName()));
        }
    }

    private ScopeResult finish(String token, TokenVerifier.Verification v, long now) {
        if (v instanceof TokenVerifier.Verification.Valid valid) {
            cache.put(token, valid.scopeHash(), valid.expiresAtMillis(), now);
            return new ScopeResult.Resolved(valid.scopeHash());
        }
        if (v instanceof TokenVerifier.Verification.Invalid invalid) {
            return new ScopeResult.InvalidToken(invalid.reason());
        }
        return new ScopeResult.InvalidToken("unknown key id");
    }

    /** RFC 6750 §2.1: exactly one header, {@code Bearer} (any case), one space or more, the token. */
    static String bearer(List<String> values) {
        if (values == null || values.size() != 1) {
            return null;
        }
        String v = values.get(0).trim();
        if (v.length() < 8 || !v.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        String token = v.substring(7).trim();
        return token.isEmpty() || token.indexOf(' ') >= 0 ? null : token;
    }

    int cachedTokens() {
        return cache.size();
    }
}
