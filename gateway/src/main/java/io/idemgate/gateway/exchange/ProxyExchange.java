package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.http.ProblemResponses;
import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.metrics.OutcomeLabel;
import io.idemgate.gateway.metrics.RejectReason;
import io.idemgate.gateway.metrics.RouteMetrics;
import io.idemgate.gateway.upstream.UpstreamListener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass-through exchange: the client's request streamed to an upstream connection and the response
 * streamed back. The states and their allowed moves are in {@link ProxyState}; the halves are the
 * {@link RequestForwarder} (client → upstream), the {@link UpstreamCall} (the connection and its clock)
 * and the {@link ResponseForwarder} (upstream → client). Backpressure by writability: when the side we
 * write to is full, reading from the other side stops (autoRead off) until it drains.
 *
 * <p>An idempotent execution runs the same machine with the whole body already in hand and a
 * {@link ResponseTap} that records the response; if its client goes away the exchange keeps going in
 * the state's {@code _CLIENT_GONE} twin, so the result is stored for the retry. When the gateway
 * answers by itself (502, 504…) it hands the connection to a {@link LocalExchange} and is done.
 * Threading: the client channel's event loop, which the upstream connection shares.
 */
final class ProxyExchange implements Exchange, UpstreamListener {

    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);

    private final RequestContext rc;
    private final ChannelHandlerContext ctx;
    private final RouteMetrics metrics;
    private final ResponseTap tap;
    private final Outcome successOutcome;
    private final RequestForwarder requestBody;
    private final UpstreamCall call;
    private final ResponseForwarder response;

    private ProxyState state = ProxyState.NEW;
    private long startNanos;
    /** The access log's outcome for an exchange the gateway refused mid-way (no {@link Outcome} counted). */
    private RejectReason refusal = RejectReason.MALFORMED;
    private int status;

    ProxyExchange(RequestContext rc) {
        this(rc, null, Outcome.PASSTHROUGH);
    }

    /**
     * @param tap hears the response of an idempotent execution; null for pass-through
     * @param successOutcome what a completed exchange counts as
     */
    ProxyExchange(RequestContext rc, ResponseTap tap, Outcome successOutcome) {
        this.rc = rc;
        this.ctx = rc.ctx();
        this.metrics = rc.metrics();
        this.tap = tap;
        this.successOutcome = successOutcome;
        this.call = new UpstreamCall(rc);
        this.response = new ResponseForwarder(rc, tap);
        this.requestBody = new RequestForwarder(rc, call::restartClock);
    }

    ProxyState state() {
        return state;
    }

    /** Counts the exchange in flight, then holds the body or takes an upstream connection. */
    void start() {
        startNanos = System.nanoTime();
        metrics.inflightIncrement();
        rc.services().drain().exchangeStarted();
        if (!requestBody.acceptExpectation()) {
            respondLocally(Problem.EXPECTATION_FAILED, "Only 'Expect: 100-continue' is supported.", Outcome.PASSTHROUGH);
            return;
        }
        if (requestBody.holdBody()) {
            moveTo(ProxyState.BUFFERING); // until the body is whole or large (onRequestContent)
            return;
        }
        acquire();
    }

    /**
     * Executes with a body already aggregated; {@code body} and its share of the body budget are owned by
     * this exchange from now on (the share ends when the body is written to the upstream).
     */
    void startWithBody(ByteBuf body, BufferedBodyBudget.Reservation held) {
        requestBody.withWholeBody(body, held);
        start();
    }

    /** Takes an upstream connection; the body held so far follows the head once it is there. */
    private void acquire() {
        if (moveTo(ProxyState.ACQUIRING)) {
            requestBody.stopHolding();
            call.acquire(this, () -> state.phase() == ProxyState.ACQUIRING, this::onConnected, this::onUnavailable);
        }
    }

    private void onConnected(boolean async) {
        if (!moveTo(ProxyState.AWAITING_RESPONSE)) {
            return;
        }
        requestBody.attach(call);
        if (async) {
            call.channel().flush(); // otherwise the client read burst we are in ends with a flush (onClientReadComplete)
        }
    }

    private void onUnavailable(boolean busy) {
        if (tap != null) {
            tap.onNoResponse(false, busy ? "upstream connection limit" : "upstream unreachable");
        }
        respondLocally(busy ? Problem.UPSTREAM_BUSY : Problem.UPSTREAM_UNREACHABLE,
                busy ? "The connection limit to the upstream is reached; retry later."
                     : "The upstream could not be reached; the request was not sent.",
                Outcome.UPSTREAM_ERROR);
    }

    // ---- client events

    @Override
    public void onRequestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            rejectMalformedBody(content);
            return;
        }
        requestBody.offer(content);
        if (state == ProxyState.BUFFERING && requestBody.heldEnough()) {
            acquire();
        }
    }

    @Override
    public void onClientReadComplete() {
        requestBody.flush();
    }

    /** The client drained its buffer: resume reading the upstream's response. */
    @Override
    public void onClientWritabilityChanged(boolean writable) {
        if (writable && state == ProxyState.STREAMING_RESPONSE) {
            call.resumeReading();
        }
    }

    /**
     * The client connection is gone. A pass-through upstream call is abandoned with it; an idempotent
     * execution goes on, since its side effect may already be under way, and its result is stored.
     */
    @Override
    public void onClientClosed() {
        if (state == ProxyState.DONE || state.clientGone()) {
            return;
        }
        if (tap != null && state.withClientGone() != null) {
            moveTo(state.withClientGone());
            return;
        }
        if (state == ProxyState.NEW) {
            // Refused by the hand-over before it started: nothing was counted, so nothing is logged.
            moveTo(ProxyState.DONE);
            requestBody.end();
            return;
        }
        call.abort();
        finish(Outcome.PASSTHROUGH, false, "client closed");
    }

    /**
     * A pass-through body stalled. Whatever part of it reached the upstream leaves that connection's
     * framing in doubt, so it closes; the client gets 408 if no response has begun, else a close.
     */
    @Override
    public void onRequestBodyTimeout() {
        if (state == ProxyState.DONE || requestBody.complete()) {
            return;
        }
        refusal = RejectReason.BODY_TIMEOUT;
        if (state.phase() == ProxyState.STREAMING_RESPONSE) {
            abortBoth("request body stalled");
        } else {
            respondLocally(Problem.REQUEST_TIMEOUT, "The request body received nothing for "
                    + rc.services().server().requestBodyTimeout().toMillis() + " ms.", null);
        }
    }

    // ---- upstream events

    @Override
    public void onUpstreamMessage(HttpObject msg) {
        call.restartClock();
        ResponseForwarder.Part part = response.classify(msg, state.phase());
        if (part == ResponseForwarder.Part.HEAD) {
            startResponse((HttpResponse) msg);
            if (!(msg instanceof HttpContent content)) {
                return;
            }
            part = response.classifyContent(content, state.phase());
        }
        switch (part) {
            case MALFORMED_HEAD -> upstreamFailed("The upstream sent a malformed response.");
            case BROKEN -> abortBoth("upstream response truncated");
            case BODY -> {
                if (!response.content((HttpContent) msg, state.clientGone())) {
                    call.pauseReading(); // the client is slower than the upstream
                }
            }
            case LAST -> finishResponse((LastHttpContent) msg);
            default -> { } // released: interim, or not expected now (the fallback)
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        if (state == ProxyState.STREAMING_RESPONSE) {
            response.flush();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable) {
            rc.connection().resumeReading();
        }
    }

    @Override
    public void onUpstreamDeadline() {
        if (!call.attached() || state == ProxyState.DONE) {
            return;
        }
        long waited = call.elapsed();
        call.abort();
        requestBody.stop();
        if (state.phase() == ProxyState.STREAMING_RESPONSE) {
            abortBoth("upstream response stalled");
            return;
        }
        metrics.upstreamLatency(RouteMetrics.TIMEOUT, waited);
        if (tap != null) {
            tap.onNoResponse(true, "upstream response timeout");
        }
        respondLocally(Problem.UPSTREAM_TIMEOUT, "The upstream did not answer within "
                + rc.route().config().upstream().responseTimeout().toMillis() + " ms.", Outcome.UPSTREAM_ERROR);
    }

    @Override
    public void onUpstreamClosed() {
        if (!call.attached()) {
            return;
        }
        call.closed();
        requestBody.stop();
        if (state.phase() == ProxyState.STREAMING_RESPONSE) {
            abortBoth("upstream closed mid-response");
        } else if (state.phase() == ProxyState.AWAITING_RESPONSE) {
            upstreamFailed("The upstream closed the connection before answering.");
        }
    }

    private void startResponse(HttpResponse head) {
        status = head.status().code();
        metrics.upstreamLatency(RouteMetrics.statusClass(status), call.answered());
        if (moveTo(ProxyState.STREAMING_RESPONSE)) {
            response.head(head, state.clientGone());
        }
    }

    private void finishResponse(LastHttpContent last) {
        boolean wholeRequestSent = requestBody.sent();
        requestBody.stop();
        // Reusable only if the upstream keeps it alive and took our whole request.
        call.release(response.upstreamReusable() && wholeRequestSent);
        response.last(last);
        if (tap == null) {
            deliverLast(last, true);
            return;
        }
        // The last bytes wait until the answer is stored (SPEC §2: with min-replicas, on the replicas too): a
        // client that has the whole response may rely on its retry replaying it.
        tap.onResponseComplete().whenComplete((stored, err) -> {
            boolean ok = err == null && Boolean.TRUE.equals(stored);
            if (ctx.executor().inEventLoop()) {
                deliverLast(last, ok);
            } else {
                ctx.executor().execute(() -> deliverLast(last, ok));
            }
        });
    }

    /** Writes the held last bytes, or, when the answer could not be stored, cuts the connection instead. */
    private void deliverLast(LastHttpContent last, boolean stored) {
        if (state == ProxyState.DONE) {
            last.release(); // ended meanwhile (client gone, shutdown): nothing left to send
            return;
        }
        if (state.clientGone()) {
            last.release();
            finish(successOutcome, false, stored ? "client gone; response stored" : "client gone; response not stored");
            return;
        }
        if (!stored) {
            last.release();
            ctx.close();
            finish(successOutcome, false, "response not stored; connection cut");
            return;
        }
        response.writeLast(last).addListener(f -> finish(successOutcome,
                f.isSuccess() && !response.closeAfterResponse() && requestBody.complete(), null));
    }

    // ---- failures

    /**
     * The body's framing broke (a bad chunk size, say). The decoder turns that into a last content; it
     * must never reach the upstream as the end of a complete request, so the upstream call is dropped.
     */
    private void rejectMalformedBody(HttpContent content) {
        String why = String.valueOf(content.decoderResult().cause());
        content.release();
        rc.connection().malformedInput();
        rc.services().metrics().rejected(RejectReason.MALFORMED);
        if (state.phase() == ProxyState.STREAMING_RESPONSE) {
            abortBoth("malformed request body");
        } else if (state != ProxyState.DONE) {
            respondLocally(Problem.BAD_REQUEST, "The request body is not valid HTTP/1.1 framing.", null);
        }
        log.debug("malformed request body from {}: {}", rc.connection().clientAddress(), why);
    }

    private void upstreamFailed(String detail) {
        metrics.upstreamLatency(RouteMetrics.ERROR, call.elapsed());
        if (tap != null) {
            tap.onNoResponse(true, detail);
        }
        respondLocally(Problem.UPSTREAM_FAILED, detail, Outcome.UPSTREAM_ERROR);
    }

    /** The response has begun and cannot be completed: closing tells the client it is truncated. */
    private void abortBoth(String why) {
        call.abort();
        requestBody.stop();
        if (tap != null && state.phase() == ProxyState.STREAMING_RESPONSE) {
            tap.onResponseTruncated(why);
        }
        ctx.close();
        finish(Outcome.PASSTHROUGH, false, why);
    }

    /** Hands the connection to a {@link LocalExchange} that answers {@code problem}; this exchange ends. */
    private void respondLocally(Problem problem, String detail, Outcome outcome) {
        if (state == ProxyState.DONE) {
            return;
        }
        call.abort();
        requestBody.stop();
        status = problem.status();
        boolean complete = requestBody.complete();
        boolean mustClose = rc.closeRequired() || requestBody.clientAwaitsContinue();
        LocalExchange answer = new LocalExchange(ctx, rc.connection(),
                ProblemResponses.build(ctx.alloc(), problem, detail), rc.clientKeepAlive(), complete, mustClose);
        finish(outcome, false, null, answer);
    }

    private void finish(Outcome outcome, boolean keepAlive, String abortReason) {
        finish(outcome, keepAlive, abortReason, null);
    }

    /** Ends this exchange once: counts, logs, and tells the connection what comes next. */
    private void finish(Outcome outcome, boolean keepAlive, String abortReason, LocalExchange successor) {
        if (state == ProxyState.DONE) {
            return;
        }
        moveTo(ProxyState.DONE);
        requestBody.end();
        if (tap != null) {
            tap.onExchangeEnd();
        }
        metrics.inflightDecrement();
        rc.services().drain().exchangeEnded();
        if (outcome != null) {
            metrics.count(outcome);
        }
        rc.logAccess(abortReason == null ? status : 499, outcome == null ? refusal.label() : OutcomeLabel.of(outcome),
                call.answeredNanos(), startNanos, tap != null ? tap.keyHash() : null, tap != null ? tap.fence() : 0);
        if (successor != null) {
            if (rc.connection().handOver(this, successor)) {
                successor.begin();
            }
        } else {
            rc.connection().exchangeFinished(this, keepAlive);
        }
    }

    /**
     * Moves by the {@link ProxyState} table, keeping a gone client gone. A move the table forbids is a
     * bug: it is logged and the exchange ends by closing both sides, never left half-way.
     */
    private boolean moveTo(ProxyState next) {
        ProxyState to = state.clientGone() && next.withClientGone() != null ? next.withClientGone() : next;
        if (state.canMoveTo(to)) {
            state = to;
            return true;
        }
        log.warn("proxy exchange: no move from {} to {}; closing both sides", state, to);
        if (state != ProxyState.DONE) {
            call.abort();
            ctx.close();
            finish(Outcome.PASSTHROUGH, false, "no move from " + state + " to " + to);
        }
        return false;
    }
}
