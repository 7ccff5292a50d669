package io.idemgate.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/** A route's idempotency policy, merged from {@code idemgate.defaults.idempotency} and the route's own block. */
public record IdempotencyConfig(
        Mode mode,
        Set<String> methods,
        Key key,
        List<String> scopeHeaders,
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
        scopeHeaders = List.copyOf(scopeHeaders);
    }

    /** Whether requests with this (upper-case) method go through the idempotency engine. */
    public boolean appliesTo(String method) {
        return mode != Mode.OFF && methods.contains(method);
    }
}
