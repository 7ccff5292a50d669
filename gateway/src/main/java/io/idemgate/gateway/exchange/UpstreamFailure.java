package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.Problem;

/**
 * The ways an upstream call ends without a response, each with what the client is answered and what an
 * idempotent execution's record is told ({@link ResponseTap#onNoResponse}): one row per failure, so a new
 * one is a new row. Once a response has begun, a failure is a truncation instead (the client connection
 * closes).
 */
enum UpstreamFailure {
    /** No connection could be made: the request never left, so a claimed key is released. */
    UNREACHABLE(Problem.UPSTREAM_UNREACHABLE, "The upstream could not be reached; the request was not sent.",
            "upstream unreachable", false, null),
    /** The pool is at its limit: the request never left either. */
    BUSY(Problem.UPSTREAM_BUSY, "The connection limit to the upstream is reached; retry later.",
            "upstream connection limit", false, null),
    /** Nothing within {@code upstream.response-timeout} (restarted whenever the upstream moves): it may have run. */
    TIMEOUT(Problem.UPSTREAM_TIMEOUT, "The upstream did not answer within %d ms.", "upstream response timeout", true,
            "upstream response stalled"),
    CLOSED(Problem.UPSTREAM_FAILED, "The upstream closed the connection before answering.", null, true,
            "upstream closed mid-response"),
    MALFORMED(Problem.UPSTREAM_FAILED, "The upstream sent a malformed response.", null, true, null),
    /** The response body's framing broke: only ever after the response began. */
    TRUNCATED(Problem.UPSTREAM_FAILED, "The upstream's response broke off.", null, true, "upstream response truncated");

    private final Problem problem;
    private final String detail;
    private final String reason;
    private final boolean mayHaveExecuted;
    private final String truncation;

    UpstreamFailure(Problem problem, String detail, String reason, boolean mayHaveExecuted, String truncation) {
        this.problem = problem;
        this.detail = detail;
        this.reason = reason != null ? reason : detail;
        this.mayHaveExecuted = mayHaveExecuted;
        this.truncation = truncation;
    }

    /** Why the response broke off, when this happens after it began. */
    String truncation() {
        return truncation;
    }

    Problem problem() {
        return problem;
    }

    /** The problem's detail for the client; {@code timeoutMillis} fills in the timeout's. */
    String detail(long timeoutMillis) {
        return this == TIMEOUT ? detail.formatted(timeoutMillis) : detail;
    }

    /** Why, for the execution's record and log line. */
    String reason() {
        return reason;
    }

    /** False only when the request provably never reached the upstream. */
    boolean mayHaveExecuted() {
        return mayHaveExecuted;
    }
}
