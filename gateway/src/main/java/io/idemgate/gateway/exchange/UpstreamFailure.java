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
            "upstream unreachable", false),
    /** The pool is at its limit: the request never left either. */
    BUSY(Problem.UPSTREAM_BUSY, "The connection limit to the upstream is reached; retry later.",
            "upstream connection limit", false),
    /** No response head within {@code upstream.response-timeout}: the request may have run. */
    TIMEOUT(Problem.UPSTREAM_TIMEOUT, "The upstream did not answer within %d ms.", "upstream response timeout", true),
    CLOSED(Problem.UPSTREAM_FAILED, "The upstream closed the connection before answering.", null, true),
    MALFORMED(Problem.UPSTREAM_FAILED, "The upstream sent a malformed response.", null, true);

    private final Problem problem;
    private final String detail;
    private final String reason;
    private final boolean mayHaveExecuted;

    UpstreamFailure(Problem problem, String detail, String reason, boolean mayHaveExecuted) {
        this.problem = problem;
        this.detail = detail;
        this.reason = reason != null ? reason : detail;
        this.mayHaveExecuted = mayHaveExecuted;
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
