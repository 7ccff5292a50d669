package io.idemgate.gateway.idempotency;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * SHA-256 fingerprint of a request: method, path and query exactly as received (no normalisation: a
 * differently encoded query is a different request), the configured headers, and the body — in its
 * canonical JSON form when the policy asks for it and the body is JSON, else the raw bytes.
 *
 * <p>Immutable and thread-safe; one per route. Uses a per-thread digest (hot path).
 */
public final class Fingerprinter {

    private static final String DOMAIN = "idemgate/fingerprint/v1";
    private static final int RAW_BODY = 'R';
    private static final int CANONICAL_JSON_BODY = 'J';

    private final List<String> headerNames;
    private final boolean json;
    private final List<JsonPointer> ignored;
    private final int maxJsonDepth;

    public Fingerprinter(FingerprintPolicy policy) {
        this.headerNames = policy.headers().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.json = policy.json();
        this.ignored = policy.ignoreJsonFields().stream().map(JsonPointer::parse).toList();
        this.maxJsonDepth = policy.maxJsonDepth();
    }

    /**
     * @param pathAndQuery the request target as received, e.g. {@code /v1/payments?expand=fees}
     * @param headerValues all values of a header, looked up case-insensitively; empty or null when absent
     * @param body the whole request body; null or empty when there is none
     * @param contentType the Content-Type, or null; a JSON body is recognised by parsing when it is null
     *                    or mentions {@code json}
     * @return lower-case hex SHA-256, or null when the body is JSON nested deeper than the policy's
     *         {@code maxJsonDepth} (the request is refused, not fingerprinted)
     */
    public String fingerprint(String method, String pathAndQuery, Function<String, List<String>> headerValues,
                              byte[] body, String contentType) {
        byte[] bytes = body == null ? new byte[0] : body;
        byte[] canonical;
        try {
            canonical = canonicalJsonOrNull(bytes, contentType);
        } catch (InvalidJsonException tooDeep) {
            return null;
        }
        DigestEncoder encoder = DigestEncoder.start(DOMAIN)
                .string(method)
                .string(pathAndQuery)
                .integer(headerNames.size());
        for (String name : headerNames) {
            encoder.header(name, headerValues.apply(name));
        }
        return canonical != null
                ? encoder.integer(CANONICAL_JSON_BODY).bytes(canonical).hex()
                : encoder.integer(RAW_BODY).bytes(bytes).hex();
    }

    /** @throws InvalidJsonException only when the body is JSON nested too deeply */
    private byte[] canonicalJsonOrNull(byte[] body, String contentType) throws InvalidJsonException {
        if (!json || body.length == 0) {
            return null;
        }
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            return null;
        }
        try {
            return CanonicalJson.canonicalizeParsed(body, ignored, maxJsonDepth);
        } catch (InvalidJsonException e) {
            if (e.tooDeep()) {
                throw e; // refused: canonicalising it would cost what the limit is there to bound
            }
            return null; // not JSON after all: the raw bytes still identify the request
        }
    }
}
