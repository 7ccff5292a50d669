package io.idemgate.gateway.metrics;

/**
 * Why a request was refused before an exchange could serve it: the {@code reason} label of
 * {@code idemgate_rejected_requests_total}. The first five are SPEC §5's; {@code no_route} is ours.
 */
public enum RejectReason {
    /** Not valid HTTP/1.1: framing, header syntax, Connection naming a framing field, method case, Host. */
    MALFORMED("malformed"),
    /** The request line or target: too long, not normalisable, climbing above the root, userinfo. */
    BAD_TARGET("bad_target"),
    /** The head did not arrive whole within {@code server.request-header-timeout}. */
    HEADER_TIMEOUT("header_timeout"),
    /** The body stalled for {@code server.request-body-timeout}. */
    BODY_TIMEOUT("body_timeout"),
    /** The header section exceeded {@code server.max-header-size}. */
    TOO_LARGE_HEADERS("too_large_headers"),
    /** No route matches (404). */
    NO_ROUTE("no_route");

    private final String label;

    RejectReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
