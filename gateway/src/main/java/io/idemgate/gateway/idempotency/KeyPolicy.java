package io.idemgate.gateway.idempotency;

import java.util.Objects;

/**
 * Where a route reads its idempotency key and what it accepts ({@code idempotency.key.*}, validated once when the configuration is read).
 *
 * @param header the request header carrying the key (e.g. {@code Idempotency-Key})
 * @param jsonPointer when non-empty, the key is read from the JSON body at this RFC 6901 pointer instead
 * @param required a request without a key is answered 400 instead of passed through
 * @param maxLength longest accepted key, in characters (after unquoting an sf-string)
 * @param strict accept only the RFC 8941 sf-string form ({@code "abc"}), not a bare token
 */
public record KeyPolicy(String header, String jsonPointer, boolean required, int maxLength, boolean strict) {

    public KeyPolicy {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(jsonPointer, "jsonPointer");
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        if (!jsonPointer.isEmpty()) {
            JsonPointer.parse(jsonPointer);
        }
    }
}
