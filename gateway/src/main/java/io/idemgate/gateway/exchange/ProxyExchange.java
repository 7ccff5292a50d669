package io.idemgate.gateway.exchange;

import io.idemgate.gateway.http.HopByHopHeaders;
import io.idemgate.gateway.http.MessageFraming;
import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.http.ProblemResponses;
import io.idemgate.gateway.metrics.RejectReason;
import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.metrics.OutcomeLabel;
import io.idemgate.gateway.metrics.RouteMetrics;
import io.idemgate.gateway.route.Route;
import io.idemgate.gateway.upstream.UpstreamConnection;
import io.idemgate.gateway.upstream.UpstreamGroup;
import io.idemgate.gateway.upstream.UpstreamListener;
import io.idemgate.gateway.upstream.UpstreamUnavailableException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass-through exchange: the client's request streamed to an upstream connection and the response
 * streamed back. Backpressure by writability: when the side we write to is full, reading from the
 * other side stops (autoRead off) until it drains, so memory per exchange stays at about one socket
 * buffer each way; in the common case nothing is toggled and no read costs an extra system call.
 *
 * <p>States: {@code ACQUIRING} (waiting for an upstream connection; the {@link RequestBodyForwarder}
 * holds the body parts that arrive meanwhile) → {@code AWAITING_RESPONSE} (request streaming, response
 * not begun) →
 * {@code STREAMING_RESPONSE} → {@code DONE}. When the gateway answers by itself (502, 504…) it hands
 * the connection to a {@link LocalExchange} and is done.
 *
 * <p>An idempotent execution runs the same machine with the whole body already in hand and a
 * {@link ResponseTap} that records the response; if its client goes away the exchange keeps going
 * ("client gone") so the result is stored for the retry. Threading: everything runs on the client
 * channel's event loop, which the upstream connection shares, so no field needs synchronisation.
 */
final class ProxyExchange implements Exchange, UpstreamListener {

    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);

    enum State { BUFFERING, ACQUIRING, AWAITING_RESPONSE, STREAMING_RESPONSE, DONE }

    /**
     * Body bytes held before an upstream connection is taken. A body that arrives whole within it (most do,
     * in the head's own read) costs no upstream connection until it is here, so a client that stalls its
     * body holds none of the pool (as nginx's request buffering); a larger body streams from then on.
     */
    static final int BUFFER_BEFORE_CONNECT = 64 * 1024;

    private final ChannelHandlerContext ctx;
    private final ClientRequestReceiver receiver;
    private final ExchangeServices services;
    private final HttpRequest request;
    private final RequestLine line;
    private final Route route;
    private final RouteMetrics metrics;
    private final long startNanos = System.nanoTime();
    private final long responseTimeoutNanos;
    private boolean requestChunked;
    private long requestLength;
    private final ResponseTap tap;
    private final Outcome successOutcome;
    private boolean clientGone;
    private final boolean clientKeepAlive;
    private final boolean clientHttp11;

    private State state = State.BUFFERING;
    private UpstreamGroup group;
    private BufferedBodyBudget.Reservation buffering;
    private boolean continueSent;
    private final RequestBodyForwarder requestBody;
    private boolean expectContinue;
    private UpstreamConnection upstream;
    private boolean upstreamReusable;
    private boolean skippingInterim;
    private boolean closeAfterResponse;
    /** The access log's outcome for an exchange the gateway refused mid-way (no {@link Outcome} counted). */
    private RejectReason refusal = RejectReason.MALFORMED;
    private BufferedBodyBudget.Reservation heldBody;
    private long upstreamStart;
    private long upstreamNanos = -1;
    private int status;

    ProxyExchange(ChannelHandlerContext ctx, ClientRequestReceiver receiver, ExchangeServices services,
                  HttpRequest request, RequestLine line, Route route) {
        this(ctx, receiver, services, request, line, route, null, Outcome.PASSTHROUGH);
    }

    /**
     * @param tap hears the response of an idempotent execution; null for pass-through
     * @param successOutcome what a completed exchange counts as
     */
    ProxyExchange(ChannelHandlerContext ctx, ClientRequestReceiver receiver, ExchangeServices services,
                  HttpRequest request, RequestLine line, Route route, ResponseTap tap, Outcome successOutcome) {
        this.tap = tap;
        this.successOutcome = successOutcome;
        this.ctx = ctx;
        this.receiver = receiver;
        this.services = services;
        this.request = request;
        this.line = line;
        this.route = route;
        this.metrics = services.metrics().route(route.name());
        this.responseTimeoutNanos = route.config().upstream().responseTimeout().toNanos();
        this.requestChunked = HttpUtil.isTransferEncodingChunked(request);
        this.requestLength = requestChunked ? -1 : HttpUtil.getContentLength(request, -1L);
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.clientHttp11 = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        this.requestBody = new RequestBodyForwarder(receiver, () -> {
            releaseHeldBody();
            upstream.deadline(System.nanoTime() + responseTimeoutNanos);
        });
        metrics.inflightIncrement();
        services.drain().exchangeStarted();
    }

    void start(UpstreamGroup group) {
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null) {
            if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
                respondLocally(Problem.EXPECTATION_FAILED, "Only 'Expect: 100-continue' is supported.", Outcome.PASSTHROUGH);
                return;
            }
            expectContinue = true;
        }
        this.group = group;
        if (!requestBody.complete() && (requestChunked || requestLength > 0)) {
            buffering = services.bodyBudget().open();
            if (expectContinue) {
                ctx.writeAndFlush(LocalExchange.continueResponse(), ctx.voidPromise());
                continueSent = true;
            }
            return; // BUFFERING until the body is whole or large (onRequestContent)
        }
        acquire();
    }

    /** Takes an upstream connection; the body held so far follows the head once it is there. */
    private void acquire() {
        state = State.ACQUIRING;
        if (buffering != null) {
            buffering.release(); // from here the held parts drain to the upstream
        }
        Future<UpstreamConnection> f = group.acquire(ctx.channel().eventLoop());
        if (f.isDone()) {
            onAcquired(f, false);
        } else {
            // A new connection is being made: hold the body we have, read no more until it is there.
            receiver.pauseReading();
            f.addListener(x -> onAcquired(f, true));
        }
    }

    /**
     * Executes with a body already aggregated; {@code body} and its share of the body budget are owned by
     * this exchange from now on (the share ends when the body is written to the upstream).
     */
    void startWithBody(UpstreamGroup group, ByteBuf body, BufferedBodyBudget.Reservation held) {
        heldBody = held;
        requestChunked = false;
        requestLength = body.readableBytes();
        request.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        request.headers().remove(HttpHeaderNames.EXPECT); // answered while the body was aggregated
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        requestBody.offer(new DefaultLastHttpContent(body));
        start(group);
    }

    /**
     * A pass-through body stalled. Whatever part of it reached the upstream leaves that connection's
     * framing in doubt, so it closes; the client gets 408 if no response has begun, else a close.
     */
    @Override
    public void onRequestBodyTimeout() {
        if (state == State.DONE || requestBody.complete()) {
            return;
        }
        refusal = RejectReason.BODY_TIMEOUT;
        if (state == State.STREAMING_RESPONSE) {
            abortBoth("request body stalled");
        } else {
            respondLocally(Problem.REQUEST_TIMEOUT, "The request body received nothing for "
                    + services.server().requestBodyTimeout().toMillis() + " ms.", null);
        }
    }

    // ---- client → upstream

    @Override
    public void onRequestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            rejectMalformedBody(content);
            return;
        }
        requestBody.offer(content);
        if (state == State.BUFFERING && (requestBody.complete() || requestBody.heldBytes() >= BUFFER_BEFORE_CONNECT
                || !buffering.growTo(requestBody.heldBytes()))) {
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
        if (writable && state == State.STREAMING_RESPONSE && upstream != null) {
            upstream.channel().config().setAutoRead(true);
            upstream.deadline(System.nanoTime() + responseTimeoutNanos);
        }
    }

    /**
     * The client connection is gone. A pass-through upstream call is abandoned with it; an idempotent
     * execution goes on, since its side effect may already be under way, and its result is stored.
     */
    @Override
    public void onClientClosed() {
        if (state == State.DONE) {
            return;
        }
        if (tap != null) {
            clientGone = true;
            return;
        }
        abortUpstream();
        finish(Outcome.PASSTHROUGH, false, "client closed");
    }

    private void onAcquired(Future<UpstreamConnection> f, boolean async) {
        if (async && state == State.ACQUIRING) {
            receiver.resumeReading();
        }
        if (state != State.ACQUIRING) {
            if (f.isSuccess()) {
                f.getNow().release(true);
            }
            return;
        }
        if (!f.isSuccess()) {
            boolean busy = f.cause() instanceof UpstreamUnavailableException u
                    && u.reason() == UpstreamUnavailableException.Reason.POOL_EXHAUSTED;
            metrics.upstreamLatency(RouteMetrics.ERROR, 0);
            if (tap != null) {
                tap.onNoResponse(false, busy ? "upstream connection limit" : "upstream unreachable");
            }
            respondLocally(busy ? Problem.UPSTREAM_BUSY : Problem.UPSTREAM_UNREACHABLE,
                    busy ? "The connection limit to the upstream is reached; retry later."
                         : "The upstream could not be reached; the request was not sent.",
                    Outcome.UPSTREAM_ERROR);
            return;
        }
        upstream = f.getNow();
        upstream.bind(this);
        state = State.AWAITING_RESPONSE;
        prepareUpstreamRequest();
        Channel up = upstream.channel();
        upstreamStart = System.nanoTime();
        up.write(request, up.voidPromise());
        requestBody.attach(up);
        if (async) {
            up.flush(); // otherwise the client read burst we are in ends with a flush (onClientReadComplete)
        }
        if (expectContinue && !continueSent && !requestBody.complete()) {
            ctx.writeAndFlush(LocalExchange.continueResponse(), ctx.voidPromise());
        }
    }

    private void prepareUpstreamRequest() {
        HopByHopHeaders.strip(request.headers());
        MessageFraming.forUpstream(request, line.uri(), requestChunked, requestLength,
                line.absoluteForm() ? line.host() : null, upstream.authority());
        services.forwarded().applyToRequest(request.headers(), ctx.channel().remoteAddress(), "http");
    }

    // ---- upstream → client

    @Override
    public void onUpstreamMessage(HttpObject msg) {
        if (upstream != null) {
            upstream.deadline(System.nanoTime() + responseTimeoutNanos);
        }
        if (msg instanceof HttpResponse response) {
            if (msg.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                upstreamFailed("The upstream sent a malformed response.");
                return;
            }
            int code = response.status().code();
            if (code < 200) {
                // Interim responses (100, 103) are ours to absorb: we answered the client's Expect ourselves.
                skippingInterim = true;
                ReferenceCountUtil.release(msg);
                return;
            }
            startResponse(response);
            if (!(msg instanceof HttpContent)) {
                return;
            }
        }
        HttpContent content = (HttpContent) msg;
        if (skippingInterim) {
            content.release();
            skippingInterim = !(content instanceof LastHttpContent);
            return;
        }
        if (state != State.STREAMING_RESPONSE) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            abortBoth("upstream response truncated");
            return;
        }
        if (tap != null) {
            tap.onResponseContent(content.content());
        }
        if (content instanceof LastHttpContent last) {
            finishResponse(last);
        } else if (clientGone) {
            content.release();
        } else {
            ctx.write(content, ctx.voidPromise());
            if (!ctx.channel().isWritable()) {
                // The client is slower than the upstream: stop reading the upstream, and stop its
                // response clock, since the wait is the client's doing.
                upstream.channel().config().setAutoRead(false);
                upstream.clearDeadline();
            }
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        if (state == State.STREAMING_RESPONSE && !clientGone) {
            ctx.flush();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable) {
            receiver.resumeReading();
        }
    }

    @Override
    public void onUpstreamDeadline() {
        if (upstream == null || state == State.DONE) {
            return;
        }
        abortUpstream();
        if (state == State.STREAMING_RESPONSE) {
            abortBoth("upstream response stalled");
        } else {
            metrics.upstreamLatency(RouteMetrics.TIMEOUT, System.nanoTime() - upstreamStart);
            if (tap != null) {
                tap.onNoResponse(true, "upstream response timeout");
            }
            respondLocally(Problem.UPSTREAM_TIMEOUT, "The upstream did not answer within "
                    + route.config().upstream().responseTimeout().toMillis() + " ms.", Outcome.UPSTREAM_ERROR);
        }
    }

    @Override
    public void onUpstreamClosed() {
        if (upstream == null) {
            return;
        }
        upstream = null;
        requestBody.stop();
        if (state == State.STREAMING_RESPONSE) {
            abortBoth("upstream closed mid-response");
        } else if (state == State.AWAITING_RESPONSE) {
            upstreamFailed("The upstream closed the connection before answering.");
        }
    }

    private void startResponse(HttpResponse response) {
        status = response.status().code();
        upstreamNanos = System.nanoTime() - upstreamStart;
        metrics.upstreamLatency(RouteMetrics.statusClass(status), upstreamNanos);
        upstreamReusable = HttpUtil.isKeepAlive(response);
        boolean hasLength = response.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
        HttpHeaders h = response.headers();
        HopByHopHeaders.strip(h);
        if (tap != null) {
            tap.onResponseHead(status, h);
        }
        services.forwarded().applyToResponse(h);
        boolean bodyless = line.method().equals(HttpMethod.HEAD) || status == 204 || status == 304;
        closeAfterResponse = MessageFraming.forClient(response, hasLength, bodyless, clientHttp11,
                !clientKeepAlive || services.drain().draining() || receiver.closing());
        state = State.STREAMING_RESPONSE;
        if (!clientGone) {
            ctx.write(response, ctx.voidPromise());
        }
    }

    private void finishResponse(LastHttpContent last) {
        UpstreamConnection up = upstream;
        upstream = null;
        boolean wholeRequestSent = requestBody.sent();
        requestBody.stop();
        // Reusable only if the upstream keeps it alive and took our whole request.
        up.release(upstreamReusable && wholeRequestSent);
        if (tap != null) {
            tap.onResponseComplete();
        }
        if (clientGone) {
            last.release();
            finish(successOutcome, false, "client gone; response stored");
            return;
        }
        ctx.writeAndFlush(last).addListener(f -> finish(successOutcome,
                f.isSuccess() && !closeAfterResponse && requestBody.complete(), null));
    }

    // ---- failures

    /**
     * The body's framing broke (a bad chunk size, say). The decoder turns that into a last content; it
     * must never reach the upstream as the end of a complete request, so the upstream call is dropped.
     */
    private void rejectMalformedBody(HttpContent content) {
        String why = String.valueOf(content.decoderResult().cause());
        content.release();
        receiver.malformedInput();
        services.metrics().rejected(RejectReason.MALFORMED);
        if (state == State.STREAMING_RESPONSE) {
            abortBoth("malformed request body");
        } else if (state != State.DONE) {
            respondLocally(Problem.BAD_REQUEST, "The request body is not valid HTTP/1.1 framing.", null);
        }
        log.debug("malformed request body from {}: {}", receiver.clientAddress(), why);
    }

    private void upstreamFailed(String detail) {
        metrics.upstreamLatency(RouteMetrics.ERROR, System.nanoTime() - upstreamStart);
        if (tap != null) {
            tap.onNoResponse(true, detail);
        }
        respondLocally(Problem.UPSTREAM_FAILED, detail, Outcome.UPSTREAM_ERROR);
    }

    /** The response has begun and cannot be completed: closing tells the client it is truncated. */
    private void abortBoth(String why) {
        abortUpstream();
        if (tap != null && state == State.STREAMING_RESPONSE) {
            tap.onResponseTruncated(why);
        }
        ctx.close();
        finish(Outcome.PASSTHROUGH, false, why);
    }

    // ---- responses the gateway makes itself

    /** Hands the connection to a {@link LocalExchange} that answers {@code problem}; this exchange ends. */
    void respondLocally(Problem problem, String detail, Outcome outcome) {
        if (state == State.DONE) {
            return;
        }
        abortUpstream();
        status = problem.status();
        boolean complete = requestBody.complete();
        boolean mustClose = receiver.closing() || services.drain().draining() || (expectContinue && !complete);
        LocalExchange answer = new LocalExchange(ctx, receiver,
                ProblemResponses.build(ctx.alloc(), problem, detail), clientKeepAlive, complete, mustClose);
        finish(outcome, false, null, answer);
    }

    private void finish(Outcome outcome, boolean keepAlive, String abortReason) {
        finish(outcome, keepAlive, abortReason, null);
    }

    /** Ends this exchange once: counts, logs, and tells the receiver what comes next. */
    private void finish(Outcome outcome, boolean keepAlive, String abortReason, LocalExchange successor) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        requestBody.stop();
        releaseHeldBody();
        if (buffering != null) {
            buffering.release();
        }
        if (tap != null) {
            tap.onExchangeEnd();
        }
        metrics.inflightDecrement();
        services.drain().exchangeEnded();
        if (outcome != null) {
            metrics.count(outcome);
        }
        services.accessLog().record(route.name(), line.methodName(), line.path(),
                abortReason == null ? status : 499, outcome == null ? refusal.label() : OutcomeLabel.of(outcome), upstreamNanos,
                System.nanoTime() - startNanos, receiver.clientAddress(),
                tap != null ? tap.keyHash() : null, tap != null ? tap.fence() : 0);
        if (successor != null) {
            if (receiver.handOver(this, successor)) {
                successor.begin();
            }
        } else {
            receiver.exchangeFinished(this, keepAlive);
        }
    }

    private void releaseHeldBody() {
        if (heldBody != null) {
            heldBody.release();
            heldBody = null;
        }
    }

    /** Drops the upstream connection: its state is unknown, so it closes; the body goes nowhere now. */
    private void abortUpstream() {
        requestBody.stop();
        if (upstream != null) {
            UpstreamConnection up = upstream;
            upstream = null;
            up.abort();
        }
    }
}
