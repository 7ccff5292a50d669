package io.idemgate.gateway.idempotency;

import java.util.List;

/**
 * What a route's request fingerprint covers beyond method, path and query ({@code idempotency.fingerprint.*}, validated once when the configuration is read).
 *
 * @param headers request headers whose values are part of the fingerprint
 * @param json canonicalise a JSON body before hashing, so re-serialised retries still match
 * @param ignoreJsonFields RFC 6901 pointers removed from a JSON body first (e.g. a client timestamp)
 * @param maxJsonDepth a JSON body nested deeper is refused (400 invalid-json), so its cost stays bounded
 */
public record FingerprintPolicy(List<String> headers, boolean json, List<String> ignoreJsonFields, int maxJsonDepth) {

    /** {@code fingerprint.max-json-depth}'s default. */
    public static final int DEFAULT_MAX_JSON_DEPTH = 256;

    public FingerprintPolicy(List<String> headers, boolean json, List<String> ignoreJsonFields) {
        this(headers, json, ignoreJsonFields, DEFAULT_MAX_JSON_DEPTH);
    }

    public FingerprintPolicy {
        headers = List.copyOf(headers);
        ignoreJsonFields = List.copyOf(ignoreJsonFields);
        for (String pointer : ignoreJsonFields) {
            if (JsonPointer.parse(pointer).isRoot()) {
                throw new IllegalArgumentException("ignore-json-fields cannot ignore the whole body (\"\")");
            }
        }
    }
}
