package io.idemgate.gateway.http;

/**
 * Every response the gateway answers by itself, in one place (RFC 9457 problem types).
 * {@code docs/responses.md} lists each one with when and why; keep the two in step.
 */
public enum Problem {
    BAD_REQUEST(400, "bad-request", "Malformed request"),
    ADMIN_UNAUTHORIZED(401, "admin-unauthorized", "Admin token missing or wrong"),
    ADMIN_TOKEN_NOT_CONFIGURED(403, "admin-token-not-configured", "Admin endpoint disabled"),
    ADMIN_NOT_FOUND(404, "admin-not-found", "No admin endpoint at this path"),
    ADMIN_BAD_QUERY(400, "admin-bad-query", "Bad admin query"),
    ADMIN_NO_SUCH_ROUTE(404, "admin-no-such-route", "No such route"),
    ADMIN_RECORD_NOT_FOUND(404, "admin-record-not-found", "No such idempotency record"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    INTERNAL_ERROR(500, "internal-error", "Internal error"),
    MISSING_KEY(400, "missing-idempotency-key", "Idempotency key required"),
    INVALID_KEY(400, "invalid-idempotency-key", "Invalid idempotency key"),
    SCOPE_REQUIRED(400, "scope-required", "Client scope required"),
    INVALID_JSON(400, "invalid-json", "JSON body nested too deeply"),
    INVALID_TOKEN(401, "invalid-token", "Bearer token missing, invalid or expired"),
    NO_ROUTE(404, "no-route", "No route matches the request"),
    IN_FLIGHT(409, "request-in-flight", "A request with this idempotency key is still in flight"),
    OUTCOME_UNKNOWN(409, "outcome-unknown", "The outcome of the first request with this key is unknown"),
    REQUEST_TIMEOUT(408, "request-timeout", "Request not received in time"),
    REQUEST_TOO_LARGE(413, "request-too-large", "Request body too large"),
    URI_TOO_LONG(414, "uri-too-long", "Request line too long"),
    EXPECTATION_FAILED(417, "expectation-failed", "Unsupported expectation"),
    CONFIG_INVALID(422, "config-invalid", "Configuration rejected; the previous route rules stay in effect"),
    KEY_REUSED(422, "idempotency-key-reused", "Idempotency key reused with a different request"),
    HEADERS_TOO_LARGE(431, "headers-too-large", "Request header fields too large"),
    UPSTREAM_UNREACHABLE(502, "upstream-unreachable", "Upstream unreachable"),
    UPSTREAM_FAILED(502, "upstream-failed", "Upstream failed while answering"),
    UPSTREAM_BUSY(503, "upstream-busy", "Upstream connection limit reached"),
    OVERLOADED(503, "overloaded", "Gateway overloaded"),
    STORE_UNAVAILABLE(503, "store-unavailable", "Idempotency store unavailable"),
    TOKEN_VERIFICATION_UNAVAILABLE(503, "token-verification-unavailable", "Token verification keys unavailable"),
    UPSTREAM_TIMEOUT(504, "upstream-timeout", "Upstream timed out");

    private static final String TYPE_PREFIX = "urn:idemgate:problem:";

    private final int status;
    private final String type;
    private final String title;

    Problem(int status, String slug, String title) {
        this.status = status;
        this.type = TYPE_PREFIX + slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }
}
