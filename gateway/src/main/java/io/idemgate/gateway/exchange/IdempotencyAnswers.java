package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.http.ProblemResponses;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.Map;

/** The problem responses of the idempotency engine, with their wording and {@code Retry-After} rules. */
final class IdempotencyAnswers {

    /** RFC 9457 extension members: what the key's record is doing, when to retry, whether a new key is safe. */
    static final String STATE = "idempotency_state";
    static final String RETRY_AFTER = "retry_after";
    static final String NEW_KEY_SAFE = "retry_with_new_key_safe";

    private IdempotencyAnswers() {
    }

    static FullHttpResponse missingKey(ByteBufAllocator alloc, String header) {
        return ProblemResponses.build(alloc, Problem.MISSING_KEY, "This route requires an " + header + " header.");
    }

    static FullHttpResponse invalidKey(ByteBufAllocator alloc, String header, String reason) {
        return ProblemResponses.build(alloc, Problem.INVALID_KEY, "The " + header + " is invalid: " + reason + ".");
    }

    /** Names the headers, never their values: the request had none of them anyway. */
    static FullHttpResponse scopeRequired(ByteBufAllocator alloc, List<String> headers) {
        return ProblemResponses.build(alloc, Problem.SCOPE_REQUIRED, "This route deduplicates per client and needs one of "
                + String.join(", ", headers) + " to tell clients apart; without it this request would share "
                + "stored responses with every other client that sends none.");
    }

    /**
     * RFC 6750 §3.1: the scheme and error code only. Nothing about what was wrong with the token: the
     * gateway is not the authorisation server, and a forger learns nothing from the answer.
     */
    static FullHttpResponse invalidToken(ByteBufAllocator alloc) {
        FullHttpResponse response = ProblemResponses.build(alloc, Problem.INVALID_TOKEN,
                "This route scopes idempotency keys by a verified bearer token; the token is missing, invalid or expired.");
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        return response;
    }

    static FullHttpResponse tokenVerificationUnavailable(ByteBufAllocator alloc) {
        return withRetryAfter(ProblemResponses.build(alloc, Problem.TOKEN_VERIFICATION_UNAVAILABLE,
                "The keys to verify the bearer token with cannot be fetched right now; retry later.", Map.of(RETRY_AFTER, 5)), 5);
    }

    static FullHttpResponse tooDeep(ByteBufAllocator alloc, int maxDepth) {
        return ProblemResponses.build(alloc, Problem.INVALID_JSON,
                "The JSON body nests deeper than " + maxDepth + " levels, the most this route fingerprints.");
    }

    /** The {@code idempotency_state} of a 422: what the record holding the key (for another payload) is doing. */
    static String stateOf(IdempotencyRecord existing) {
        if (existing instanceof IdempotencyRecord.Completed) {
            return "completed_with_other_payload";
        }
        return existing instanceof IdempotencyRecord.InFlight ? "in_flight" : "outcome_unknown";
    }

    /** @param state what the key's record is doing: {@code completed_with_other_payload}, {@code in_flight} or {@code outcome_unknown} */
    static FullHttpResponse keyReused(ByteBufAllocator alloc, String state) {
        return ProblemResponses.build(alloc, Problem.KEY_REUSED,
                "This idempotency key was used with a different request (method, path, body or headers).",
                Map.of(STATE, state));
    }

    static FullHttpResponse tooLarge(ByteBufAllocator alloc, long limit) {
        return ProblemResponses.build(alloc, Problem.REQUEST_TOO_LARGE,
                "The request body is over this route's limit of " + limit + " bytes.");
    }

    static FullHttpResponse malformedBody(ByteBufAllocator alloc) {
        return ProblemResponses.build(alloc, Problem.BAD_REQUEST, "The request body is not valid HTTP/1.1 framing.");
    }

    /** @param typicalUpstreamNanos the route's recent upstream latency: the first attempt needs about that long */
    static FullHttpResponse inFlight(ByteBufAllocator alloc, long typicalUpstreamNanos) {
        long retryAfter = retryAfterSeconds(typicalUpstreamNanos);
        return withRetryAfter(ProblemResponses.build(alloc, Problem.IN_FLIGHT,
                "A request with this key is still being processed; retry after the indicated delay.",
                ordered(STATE, "in_flight", RETRY_AFTER, retryAfter)), retryAfter);
    }

    static FullHttpResponse outcomeUnknown(ByteBufAllocator alloc, long typicalUpstreamNanos) {
        long retryAfter = retryAfterSeconds(typicalUpstreamNanos);
        // Never "safe": a new key is a new operation, and the first may have taken effect (a charge made twice).
        return withRetryAfter(ProblemResponses.build(alloc, Problem.OUTCOME_UNKNOWN,
                "The first request with this key may or may not have taken effect; an operator must inspect and purge the key.",
                ordered(STATE, "outcome_unknown", RETRY_AFTER, retryAfter, NEW_KEY_SAFE, false)), retryAfter);
    }

    static FullHttpResponse storeUnavailable(ByteBufAllocator alloc) {
        return withRetryAfter(ProblemResponses.build(alloc, Problem.STORE_UNAVAILABLE,
                "The idempotency store is unavailable, so this request cannot be deduplicated safely; retry later.", Map.of(RETRY_AFTER, 1)), 1);
    }

    /** The shared budget for buffered request bodies is spent: nothing is wrong with the request itself. */
    static FullHttpResponse overloaded(ByteBufAllocator alloc) {
        return withRetryAfter(ProblemResponses.build(alloc, Problem.OVERLOADED,
                "The gateway is holding as many request bodies as it may; retry later.", Map.of(RETRY_AFTER, 1)), 1);
    }

    static FullHttpResponse bodyTimeout(ByteBufAllocator alloc, long timeoutMillis) {
        return ProblemResponses.build(alloc, Problem.REQUEST_TIMEOUT,
                "The request body received nothing for " + timeoutMillis + " ms.");
    }

    /** Twice the typical upstream time, rounded up to whole seconds, within 1..60. */
    static long retryAfterSeconds(long typicalUpstreamNanos) {
        return Math.max(1, Math.min(60, (2 * typicalUpstreamNanos + 999_999_999L) / 1_000_000_000L));
    }

    private static Map<String, Object> ordered(Object... pairs) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static FullHttpResponse withRetryAfter(FullHttpResponse response, long seconds) {
        response.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
        return response;
    }
}
