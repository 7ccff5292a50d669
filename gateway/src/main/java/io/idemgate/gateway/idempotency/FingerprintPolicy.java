package io.idemgate.gateway.idempotency;

import java.util.List;

/**
 * What a route's request fingerprint covers beyond method, path and query.
 *
 * @param headers request headers whose values are part of the fingerprint
 * @param json canonicalise a JSON body before hashing, so re-serialised retries still match
 * @param ignoreJsonFields RFC 6901 pointers removed from a JSON body first (e.g. a client timestamp)
 */
public record FingerprintPolicy(List<String> headers, boolean json, List<String> ignoreJsonFields) {

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
