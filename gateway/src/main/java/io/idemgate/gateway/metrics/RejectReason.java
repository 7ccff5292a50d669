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
    NO_ROUTE("no_route"),
    /** HTTP/2: a connection ended for breaking the protocol (bad frames, HPACK, flow control). */
    H2_PROTOCOL_ERROR("h2_protocol_error"),
    /** HTTP/2: more stream resets than {@code server.http2.max-resets-per-window} (rapid reset, CVE-2023-44487). */
    H2_RAPID_RESET("h2_rapid_reset"),
    /** HTTP/2: SETTINGS/PING (or other control) frames whose answers the client does not read, or empty-frame floods. */
    H2_FLOOD("h2_flood"),
    /** HTTP/2: a header block (with its CONTINUATION frames) beyond {@code server.http2.max-header-list-size}. */
    H2_HEADERS_TOO_LARGE("h2_headers_too_large"),
    /** HTTP/2: a stream whose window stayed shut (nothing could be sent) for {@code server.idle-timeout}. */
    H2_STALLED_STREAM("h2_stalled_stream");

    private final String label;

    RejectReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
