package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.http.ProblemResponses;
import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.metrics.RejectReason;
import io.idemgate.gateway.metrics.RouteMetrics;
import io.idemgate.gateway.upstream.UpstreamListener;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
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
final class ProxyExchange implements Exchange, UpstreamListener, UpstreamCall.Acquirer, ResponseForwarder.Events {

    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);

    private final RequestContext rc;
    private final ChannelHandlerContext ctx;
    private final RouteMetrics metrics;
    private final ResponseTap tap;
    /** An idempotent execution: it outlives its client, since its side effect may already be under way. */
    private final boolean execution;
    private final Outcome successOutcome;
    private final RequestForwarder requestBody;
    private final UpstreamCall call;
    private final ResponseForwarder response;
    private final ExchangeAccounting accounting;

    private ProxyState state = ProxyState.NEW;

    ProxyExchange(RequestContext rc) {
        this(rc, ResponseTap.NONE, Outcome.PASSTHROUGH);
    }

    /**
     * @param tap hears the response of an idempotent execution; {@link ResponseTap#NONE} for pass-through
     * @param successOutcome what a completed exchange counts as
     */
    ProxyExchange(RequestContext rc, ResponseTap tap, Outcome successOutcome) {
        this.rc = rc;
        this.ctx = rc.ctx();
        this.metrics = rc.metrics();
        this.tap = tap;
        this.execution = tap != ResponseTap.NONE;
        this.successOutcome = successOutcome;
        this.call = new UpstreamCall(rc);
        this.response = new ResponseForwarder(rc, tap, call, this);
        this.requestBody = new RequestForwarder(rc, call::restartClock);
        this.accounting = new ExchangeAccounting(rc);
    }

    ProxyState state() {
        return state;
    }

    /** Counts the exchange in flight, then holds the body or takes an upstream connection. */
    void start() {
        accounting.started();
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
            call.acquire(this, this);
        }
    }

    @Override
    public boolean stillWanted() {
        return state.phase() == ProxyState.ACQUIRING;
    }

    @Override
    public void connected(boolean async) {
        if (!moveTo(ProxyState.AWAITING_RESPONSE)) {
            return;
        }
        requestBody.attach(call);
        if (async) {
            call.channel().flush(); // otherwise the client read burst we are in ends with a flush (onClientReadComplete)
        }
    }

    @Override
    public void unavailable(boolean busy) {
        noResponse(busy ? UpstreamFailure.BUSY : UpstreamFailure.UNREACHABLE, 0);
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
        if (execution && state.withClientGone() != null) {
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
        accounting.refusedFor(RejectReason.BODY_TIMEOUT);
        requestBodyFailed(Problem.REQUEST_TIMEOUT, "The request body received nothing for "
                + rc.services().server().requestBodyTimeout().toMillis() + " ms.", "request body stalled");
    }

    // ---- upstream events (the response's own come through ResponseForwarder.Events)

    @Override
    public void onUpstreamMessage(HttpObject msg) {
        call.restartClock();
        response.forward(msg, state.phase(), state.clientGone());
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
        if (call.attached() && state != ProxyState.DONE) {
            upstreamLost(UpstreamFailure.TIMEOUT);
        }
    }

    @Override
    public void onUpstreamClosed() {
        if (call.attached()) {
            call.closed();
            upstreamLost(UpstreamFailure.CLOSED);
        }
    }

    /** The upstream call broke (a connection is attached only while awaiting or streaming the response). */
    @Override
    public void upstreamLost(UpstreamFailure failure) {
        long waited = call.elapsed();
        dropUpstream();
        if (state.phase() == ProxyState.STREAMING_RESPONSE) {
            abortBoth(failure.truncation());
        } else {
            noResponse(failure, waited);
        }
    }

    @Override
    public boolean responseBegins(int status) {
        accounting.status(status);
        metrics.upstreamLatency(RouteMetrics.statusClass(status), call.answered());
        return moveTo(ProxyState.STREAMING_RESPONSE);
    }

    @Override
    public void responseEnds(LastHttpContent last) {
        boolean wholeRequestSent = requestBody.sent();
        requestBody.stop();
        // Reusable only if the upstream keeps it alive and took our whole request.
        call.release(response.upstreamReusable() && wholeRequestSent);
        response.last(last);
    }

    @Override
    public void responseStored(LastHttpContent last, boolean stored) {
        if (state == ProxyState.DONE) {
            last.release(); // ended meanwhile (client gone, shutdown): nothing left to send
        } else {
            response.deliverLast(last, stored, state.clientGone());
        }
    }

    @Override
    public void responseDelivered(boolean keepAlive, String why) {
        finish(successOutcome, keepAlive && requestBody.complete(), why);
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
        requestBodyFailed(Problem.BAD_REQUEST, "The request body is not valid HTTP/1.1 framing.", "malformed request body");
        log.debug("malformed request body from {}: {}", rc.connection().clientAddress(), why);
    }

    /** The gateway refuses the rest of the request: {@code problem}, or a close once the response has begun. */
    private void requestBodyFailed(Problem problem, String detail, String abortReason) {
        if (state.phase() == ProxyState.STREAMING_RESPONSE) {
            abortBoth(abortReason);
        } else {
            respondLocally(problem, detail, null);
        }
    }

    /** No response will come: timed, the record hears why, the client gets the gateway's own answer. */
    private void noResponse(UpstreamFailure failure, long waitedNanos) {
        metrics.upstreamLatency(failure == UpstreamFailure.TIMEOUT ? RouteMetrics.TIMEOUT : RouteMetrics.ERROR, waitedNanos);
        tap.onNoResponse(failure.mayHaveExecuted(), failure.reason());
        respondLocally(failure.problem(),
                failure.detail(rc.route().config().upstream().responseTimeout().toMillis()), Outcome.UPSTREAM_ERROR);
    }

    /** The response has begun and cannot be completed: closing tells the client it is truncated. */
    private void abortBoth(String why) {
        dropUpstream();
        if (state.phase() == ProxyState.STREAMING_RESPONSE) {
            tap.onResponseTruncated(why);
        }
        ctx.close();
        finish(Outcome.PASSTHROUGH, false, why);
    }

    /** This exchange ends, and a {@link LocalExchange} answers {@code problem} on the connection. */
    private void respondLocally(Problem problem, String detail, Outcome outcome) {
        if (state == ProxyState.DONE) {
            return;
        }
        dropUpstream();
        accounting.status(problem.status());
        boolean complete = requestBody.complete();
        boolean mustClose = rc.closeRequired() || requestBody.clientAwaitsContinue();
        end(outcome, null);
        HandOver.local(rc, this, LocalResponse.of(ProblemResponses.build(ctx.alloc(), problem, detail)), complete, mustClose);
    }

    /** The upstream call is dropped (its connection closes): nothing more of the request goes to it. */
    private void dropUpstream() {
        call.abort();
        requestBody.stop();
    }

    /** Ends this exchange and tells the connection whether it stays for the next request. */
    private void finish(Outcome outcome, boolean keepAlive, String abortReason) {
        if (end(outcome, abortReason)) {
            rc.connection().exchangeFinished(this, keepAlive);
        }
    }

    /** Ends this exchange once: counted and logged. @return false if it had ended already */
    private boolean end(Outcome outcome, String abortReason) {
        if (state == ProxyState.DONE) {
            return false;
        }
        moveTo(ProxyState.DONE);
        requestBody.end();
        tap.onExchangeEnd();
        accounting.ended(outcome, abortReason != null, call.answeredNanos(), tap);
        return true;
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
