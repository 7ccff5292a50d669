package io.idemgate.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/** A route's idempotency policy, merged from {@code idemgate.defaults.idempotency} and the route's own block. */
public record IdempotencyConfig(
        Mode mode,
        Set<String> methods,
        Key key,
        Scope scope,
        Fingerprint fingerprint,
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
        OnStoreFailure onStoreFailure) {

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
    public record Scope(List<String> headers, WhenMissing whenMissing) {

        public Scope {
            headers = List.copyOf(headers);
        }

        /** Whether requests without any scope header all share one scope (and so one another's records). */
        public boolean anonymousShared() {
            return headers.isEmpty() || whenMissing == WhenMissing.SHARED;
        }
    }

    /** @param jsonPointer when non-empty the key is read from the JSON body at this pointer instead of the header */
    public record Key(String header, String jsonPointer, boolean required, int maxLength, boolean strict) {
    }

    /** @param ignoreJsonFields JSON pointers removed before hashing a canonical JSON body */
    public record Fingerprint(List<String> headers, boolean json, List<String> ignoreJsonFields) {

        public Fingerprint {
            headers = List.copyOf(headers);
            ignoreJsonFields = List.copyOf(ignoreJsonFields);
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
