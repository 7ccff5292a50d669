package io.idemgate.gateway.config;

import io.idemgate.gateway.idempotency.FingerprintPolicy;
import io.idemgate.gateway.idempotency.KeyPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A route's idempotency policy, merged from {@code idemgate.defaults.idempotency} and the route's own block.
 * The key and fingerprint parts are the domain's own types ({@link KeyPolicy}, {@link FingerprintPolicy}),
 * validated here once.
 */
public record IdempotencyConfig(
        Mode mode,
        Set<String> methods,
        KeyPolicy key,
        Scope scope,
        FingerprintPolicy fingerprint,
        Duration ttl,
        Duration lease,
        Concurrent concurrent,
        Duration waitTimeout,
        StatusSet storeStatus,
        StatusSet releaseStatus,
        long maxRequestBody,
        long maxResponseBody,
        OutcomeUnknown outcomeUnknown,
        String fenceHeader,
        OnStoreFailure onStoreFailure,
        Replay replay) {

    /** {@code idempotency.replay}: response headers never stored (and so never replayed). */
    public record Replay(List<String> excludeHeaders) {

        public Replay {
            excludeHeaders = List.copyOf(excludeHeaders);
        }
    }

    public enum Mode { OFF, SHADOW, KEY, FINGERPRINT }

    public enum Concurrent { WAIT, REJECT }

    public enum OutcomeUnknown { REEXECUTE, REJECT }

    public enum OnStoreFailure { FAIL_CLOSED, FAIL_OPEN }

    /** What a deduplicated request carrying none of the scope headers gets (SPEC §1, Scope). */
    public enum WhenMissing { REJECT, SHARED }

    /**
     * Whose record a key belongs to.
     *
     * @param headers request headers whose values (hashed) make the scope; empty = one scope for the route
     * @param whenMissing what a request with none of {@code headers} gets
     */
    public record Scope(List<String> headers, WhenMissing whenMissing, Optional<Jwt> jwt) {

        public Scope {
            headers = List.copyOf(headers);
        }

        public Scope(List<String> headers, WhenMissing whenMissing) {
            this(headers, whenMissing, Optional.empty());
        }

        /** Whether requests without any scope header all share one scope (and so one another's records). */
        public boolean anonymousShared() {
            return jwt.isEmpty() && (headers.isEmpty() || whenMissing == WhenMissing.SHARED);
        }
    }

    /**
     * {@code scope.jwt}: the scope is claims of a verified JWT instead of the hashed header values.
     * Exactly one of {@code jwksFile}, {@code jwksUrl}, {@code hs256Secret} is present.
     *
     * @param jwksCaFile PEM certificates trusted for {@code jwksUrl}; empty = the JVM's trust store
     */
    public record Jwt(String header, Optional<Path> jwksFile, Optional<URI> jwksUrl, Optional<Path> jwksCaFile,
                      Duration jwksRefresh, Optional<String> hs256Secret, List<String> claims,
                      List<String> issuers, List<String> audiences, Duration leeway) {

        public Jwt {
            claims = List.copyOf(claims);
            issuers = List.copyOf(issuers);
            audiences = List.copyOf(audiences);
        }

        /** The secret never reaches a log line or an admin answer through this record. */
        @Override
        public String toString() {
            return "Jwt[header=" + header + ", jwksFile=" + jwksFile + ", jwksUrl=" + jwksUrl + ", jwksCaFile=" + jwksCaFile
                    + ", jwksRefresh=" + jwksRefresh + ", hs256Secret=" + (hs256Secret.isPresent() ? "<set>" : "<none>")
                    + ", claims=" + claims + ", issuers=" + issuers + ", audiences=" + audiences + ", leeway=" + leeway + "]";
        }
    }

    public IdempotencyConfig {
        methods = Set.copyOf(methods);
    }

    public List<String> scopeHeaders() {
        return scope.headers();
    }

    /** Whether requests with this (upper-case) method go through the idempotency engine. */
    public boolean appliesTo(String method) {
        return mode != Mode.OFF && methods.contains(method);
    }
}
