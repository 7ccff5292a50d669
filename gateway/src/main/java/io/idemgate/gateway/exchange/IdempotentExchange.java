package io.idemgate.gateway.exchange;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.IdempotencyConfig.Mode;
import io.idemgate.gateway.http.Problem;
import io.idemgate.gateway.http.ProblemResponses;
import io.idemgate.gateway.http.ReplayResponses;
import io.idemgate.gateway.idempotency.Decision;
import io.idemgate.gateway.idempotency.Decisions;
import io.idemgate.gateway.idempotency.IdempotencyKeys;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.KeyResult;
import io.idemgate.gateway.idempotency.RecordKey;
import io.idemgate.gateway.idempotency.ScopeHasher;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.metrics.Outcome;
import io.idemgate.gateway.metrics.RouteMetrics;
import io.idemgate.gateway.route.Route;
import io.idemgate.gateway.route.RouteIdempotency;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.upstream.UpstreamGroup;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent front half of an exchange: reads the key, aggregates the body (bounded by
 * {@code max-request-body}), fingerprints, claims the key in the store and acts on the answer: execute
 * (hand over to a {@link ProxyExchange} with an {@link IdempotentExecution} tap), replay, wait for the
 * first attempt (parked on a store future, never a thread), or refuse (400, 409, 413, 422, 503).
 *
 * <p>States: {@code AGGREGATING} → {@code CLAIMING} → ({@code WAITING} → {@code CLAIMING})* → handed
 * over or {@code DONE}. Store answers arrive on store threads and hop back to the event loop before
 * touching anything. Owns the aggregated body until it hands it over or releases it.
 */
final class IdempotentExchange implements Exchange {

    private static final Logger decisions = LoggerFactory.getLogger("idemgate.decision");

    enum State { AGGREGATING, CLAIMING, WAITING, DONE }

    private final ChannelHandlerContext ctx;
    private final ClientRequestReceiver receiver;
    private final ExchangeServices services;
    private final HttpRequest request;
    private final RequestLine line;
    private final Route route;
    private final RouteIdempotency policy;
    private final IdempotencyConfig config;
    private final RouteMetrics metrics;
    private final UpstreamGroup group;
    private final boolean clientKeepAlive;
    private final long startNanos = System.nanoTime();

    private State state = State.AGGREGATING;
    private CompositeByteBuf body;
    private boolean requestComplete;
    private KeyResult headerKey;
    private RecordKey recordKey;
    private String id;
    private String fingerprint;
    private String owner;
    private long overheadNanos;
    private long waitStart;
    private long waitDeadline;
    private CompletableFuture<Void> waiter;
    private ScheduledFuture<?> waitTimer;
    private boolean waited;
    private boolean continueSent;

    IdempotentExchange(ChannelHandlerContext ctx, ClientRequestReceiver receiver, ExchangeServices services,
                       HttpRequest request, RequestLine line, Route route, UpstreamGroup group) {
        this.ctx = ctx;
        this.receiver = receiver;
        this.services = services;
        this.request = request;
        this.line = line;
        this.route = route;
        this.policy = route.idempotency();
        this.config = route.config().idempotency();
        this.metrics = services.metrics().route(route.name());
        this.group = group;
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    }

    /** Checks what the head alone can tell (key present and valid, declared length), then aggregates. */
    void start() {
        long t0 = System.nanoTime();
        if (config.mode() != Mode.FINGERPRINT && config.key().jsonPointer().isEmpty()) {
            headerKey = IdempotencyKeys.fromHeaderValues(request.headers().getAll(config.key().header()), policy.keyPolicy());
            if (!acceptKey(headerKey)) {
                return;
            }
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > config.maxRequestBody()) {
            tooLarge();
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(LocalExchange.continueResponse(), ctx.voidPromise());
            continueSent = true;
        }
        body = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        overheadNanos += System.nanoTime() - t0;
    }

    /** @return true to go on; false if the exchange was answered (400) or passed through */
    private boolean acceptKey(KeyResult key) {
        if (key instanceof KeyResult.Invalid invalid) {
            refuse(Problem.INVALID_KEY, "The " + config.key().header() + " is invalid: " + invalid.reason() + ".", Outcome.INVALID_KEY, false);
            return false;
        }
        if (key instanceof KeyResult.Missing) {
            if (config.key().required() && config.mode() == Mode.KEY) {
                refuse(Problem.MISSING_KEY, "This route requires an " + config.key().header() + " header.", Outcome.MISSING_KEY, false);
            } else {
                passThrough(Outcome.PASSTHROUGH);
            }
            return false;
        }
        return true;
    }

    // ---- client → gateway

    @Override
    public void onRequestContent(HttpContent content) {
        if (state != State.AGGREGATING || body == null) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            receiver.malformedInput();
            refuse(Problem.BAD_REQUEST, "The request body is not valid HTTP/1.1 framing.", null, true);
            return;
        }
        if ((long) body.readableBytes() + content.content().readableBytes() > config.maxRequestBody()) {
            content.release();
            tooLarge();
            return;
        }
        body.addComponent(true, content.content().retain());
        boolean last = content instanceof LastHttpContent;
        content.release();
        if (last) {
            requestComplete = true;
            onBodyComplete();
        }
    }

    @Override
    public void onClientReadComplete() {
    }

    @Override
    public void onClientWritabilityChanged(boolean writable) {
    }

    @Override
    public void onClientClosed() {
        State was = state;
        state = State.DONE;
        releaseBody();
        cancelWait();
        if (was == State.WAITING || was == State.AGGREGATING) {
            return;
        }
        // CLAIMING: the claim's answer releases the key if it was ours (see onClaim).
    }

    @Override
    public boolean requestComplete() {
        return requestComplete;
    }

    // ---- deciding

    private void onBodyComplete() {
        long t0 = System.nanoTime();
        byte[] bytes = ByteBufUtil.getBytes(body);
        String key;
        if (config.mode() == Mode.FINGERPRINT) {
            key = null;
        } else if (headerKey != null) {
            key = ((KeyResult.Present) headerKey).key();
        } else {
            KeyResult fromBody = IdempotencyKeys.fromJsonBody(bytes, config.key().jsonPointer(), policy.keyPolicy());
            if (!acceptKey(fromBody)) {
                return;
            }
            key = ((KeyResult.Present) fromBody).key();
        }
        fingerprint = policy.fingerprinter().fingerprint(line.methodName(), line.uri(),
                name -> request.headers().getAll(name), bytes,
                request.headers().get(HttpHeaderNames.CONTENT_TYPE));
        String scope = ScopeHasher.hash(config.scopeHeaders(), name -> request.headers().getAll(name));
        recordKey = new RecordKey(route.name(), scope, key != null ? key : "fp:" + fingerprint);
        id = recordKey.storageId();
        owner = services.owners().next();
        overheadNanos += System.nanoTime() - t0;
        claim();
    }

    private void claim() {
        state = State.CLAIMING;
        long t0 = System.nanoTime();
        services.store().claim(id, fingerprint, owner, config.lease(),
                        config.outcomeUnknown() == IdempotencyConfig.OutcomeUnknown.REEXECUTE, config.ttl())
                .whenComplete((result, err) -> ctx.executor().execute(() -> onClaim(result, err, t0)));
    }

    private void onClaim(ClaimResult result, Throwable err, long t0) {
        overheadNanos += System.nanoTime() - t0;
        if (state != State.CLAIMING) {
            if (result instanceof ClaimResult.Claimed c) {
                // The client left before we could run it: nothing executed, so let the retry run.
                services.store().release(id, owner, c.fence());
            }
            return;
        }
        if (err != null) {
            storeFailed(err);
            return;
        }
        if (config.mode() == Mode.SHADOW) {
            shadow(result);
            return;
        }
        if (result instanceof ClaimResult.Claimed c) {
            execute(c.fence(), c.tookOver() ? Outcome.OUTCOME_UNKNOWN : Outcome.EXECUTED, c.tookOver());
            return;
        }
        IdempotencyRecord existing = ((ClaimResult.Existing) result).record();
        Decision decision = Decisions.onExisting(existing, fingerprint, policy.concurrency());
        if (decision instanceof Decision.Replay replay) {
            replay(replay.response());
        } else if (decision instanceof Decision.Wait) {
            startWaiting();
        } else if (decision instanceof Decision.Mismatch) {
            refuse(Problem.KEY_REUSED,
                    "This idempotency key was used with a different request (method, path, body or headers).",
                    Outcome.MISMATCH, false);
        } else if (decision instanceof Decision.Conflict conflict) {
            conflict(conflict.reason() == Decision.ConflictReason.OUTCOME_UNKNOWN);
        } else {
            throw new IllegalStateException("unexpected decision " + decision);
        }
    }

    private void startWaiting() {
        state = State.WAITING;
        long now = System.nanoTime();
        if (waitStart == 0) {
            waitStart = now;
            waitDeadline = now + config.waitTimeout().toNanos();
            waited = true;
        }
        long left = waitDeadline - now;
        if (left <= 0) {
            waitTimedOut();
            return;
        }
        CompletableFuture<Void> w = services.store().awaitChange(id);
        waiter = w;
        waitTimer = ctx.executor().schedule(this::waitTimedOut, left, TimeUnit.NANOSECONDS);
        w.whenComplete((v, e) -> ctx.executor().execute(() -> {
            if (state == State.WAITING && waiter == w) {
                cancelWait();
                claim();
            }
        }));
    }

    private void waitTimedOut() {
        if (state != State.WAITING) {
            return;
        }
        cancelWait();
        conflict(false);
    }

    private void cancelWait() {
        if (waitTimer != null) {
            waitTimer.cancel(false);
            waitTimer = null;
        }
        if (waiter != null) {
            waiter.cancel(false);
            waiter = null;
        }
    }

    // ---- acting

    private void execute(long fence, Outcome outcome, boolean tookOver) {
        if (!config.fenceHeader().isEmpty()) {
            request.headers().set(config.fenceHeader(), fence);
        }
        logDecision(outcome, fence, tookOver ? "took over an unknown outcome" : null);
        runClaimed(fence, outcome);
    }

    private void shadow(ClaimResult result) {
        if (result instanceof ClaimResult.Claimed c) {
            logDecision(Outcome.SHADOW_FIRST, c.fence(), null);
            runClaimed(c.fence(), Outcome.SHADOW_FIRST);
        } else {
            logDecision(Outcome.SHADOW_DUPLICATE, 0, null);
            recordOverhead();
            forwardWholeBody(Outcome.SHADOW_DUPLICATE);
        }
    }

    /**
     * Runs the request we own the key for, recording its answer. It runs even if the client left
     * meanwhile (the hand-over then marks it "client gone"): the key is claimed, so the outcome must be
     * settled either way.
     */
    private void runClaimed(long fence, Outcome outcome) {
        recordOverhead();
        IdempotentExecution execution = new IdempotentExecution(services.store(), config, metrics, ctx.executor(),
                route.name(), id, recordKey.keyHash(), owner, fence);
        ProxyExchange exchange = new ProxyExchange(ctx, receiver, services, request, line, route, execution, outcome);
        CompositeByteBuf b = body;
        body = null;
        state = State.DONE;
        receiver.handOver(this, exchange);
        execution.startLeaseRenewal();
        exchange.startWithBody(group, b);
    }

    private void replay(StoredResponse stored) {
        Outcome outcome = waited ? Outcome.WAITED : Outcome.REPLAYED;
        if (waited) {
            metrics.waited(System.nanoTime() - waitStart);
        }
        logDecision(outcome, 0, null);
        recordOverhead();
        FullHttpResponse response = ReplayResponses.build(stored);
        services.forwarded().applyToResponse(response.headers());
        answer(response, outcome, false);
    }

    private void conflict(boolean outcomeUnknown) {
        if (waited) {
            metrics.waited(System.nanoTime() - waitStart);
        }
        Outcome outcome = outcomeUnknown ? Outcome.OUTCOME_UNKNOWN : Outcome.CONFLICT;
        logDecision(outcome, 0, null);
        recordOverhead();
        FullHttpResponse response = outcomeUnknown
                ? ProblemResponses.build(ctx.alloc(), Problem.OUTCOME_UNKNOWN,
                        "The first request with this key may or may not have taken effect; an operator must inspect and purge the key.")
                : ProblemResponses.build(ctx.alloc(), Problem.IN_FLIGHT,
                        "A request with this key is still being processed; retry after the indicated delay.");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds());
        answer(response, outcome, false);
    }

    private void storeFailed(Throwable err) {
        decisions.atWarn().addKeyValue("route", route.name()).log("idempotency store failed: {}", err.toString());
        if (config.onStoreFailure() == IdempotencyConfig.OnStoreFailure.FAIL_OPEN) {
            logDecision(Outcome.FAIL_OPEN, 0, null);
            forwardWholeBody(Outcome.FAIL_OPEN);
            return;
        }
        logDecision(Outcome.STORE_UNAVAILABLE, 0, null);
        FullHttpResponse response = ProblemResponses.build(ctx.alloc(), Problem.STORE_UNAVAILABLE,
                "The idempotency store is unavailable, so this request cannot be deduplicated safely; retry later.");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
        answer(response, Outcome.STORE_UNAVAILABLE, false);
    }

    private void tooLarge() {
        refuse(Problem.REQUEST_TOO_LARGE, "The request body is over this route's limit of "
                + config.maxRequestBody() + " bytes.", Outcome.TOO_LARGE, true);
    }

    private void refuse(Problem problem, String detail, Outcome outcome, boolean mustClose) {
        if (outcome != null) {
            logDecision(outcome, 0, null);
        }
        answer(ProblemResponses.build(ctx.alloc(), problem, detail), outcome, mustClose);
    }

    /** Answers by the gateway itself, on a {@link LocalExchange} that discards what is left of the body. */
    private void answer(FullHttpResponse response, Outcome outcome, boolean mustClose) {
        releaseBody();
        state = State.DONE;
        if (outcome != null) {
            metrics.count(outcome);
        }
        // A client still waiting for 100 Continue will not send its body; answering and closing is the way out.
        boolean awaitingContinue = HttpUtil.is100ContinueExpected(request) && !continueSent && !requestComplete;
        boolean close = mustClose || awaitingContinue || receiver.closing() || services.drain().draining();
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        services.accessLog().record(route.name(), line.methodName(), line.path(), response.status().code(),
                outcome == null ? "bad_request" : outcome.label(), -1, System.nanoTime() - startNanos,
                receiver.clientAddress(), recordKey != null ? recordKey.keyHash() : null, 0);
        LocalExchange local = new LocalExchange(ctx, receiver, response, clientKeepAlive, requestComplete, close);
        if (receiver.handOver(this, local)) {
            local.begin();
        }
    }

    /** Hands the request, head and whole body, to a plain pass-through exchange. */
    private void forwardWholeBody(Outcome outcome) {
        ProxyExchange exchange = new ProxyExchange(ctx, receiver, services, request, line, route, null, outcome);
        CompositeByteBuf b = body;
        body = null;
        state = State.DONE;
        if (receiver.handOver(this, exchange)) {
            exchange.startWithBody(group, b);
        } else {
            b.release();
        }
    }

    /** Before any body was read: the rest streams as usual. */
    private void passThrough(Outcome outcome) {
        ProxyExchange exchange = new ProxyExchange(ctx, receiver, services, request, line, route, null, outcome);
        state = State.DONE;
        if (receiver.handOver(this, exchange)) {
            exchange.start(group);
        }
    }

    // ---- bookkeeping

    private long retryAfterSeconds() {
        long typical = metrics.typicalUpstreamNanos();
        return Math.max(1, Math.min(60, (2 * typical + 999_999_999L) / 1_000_000_000L));
    }

    private void recordOverhead() {
        metrics.dedupOverhead(overheadNanos);
    }

    /**
     * One structured line per decision. The routine ones (executed, replayed, waited, shadow) are at
     * DEBUG, since the access line carries the outcome and key hash already; refusals and store trouble
     * are at INFO.
     */
    private void logDecision(Outcome outcome, long fence, String note) {
        boolean routine = outcome == Outcome.EXECUTED || outcome == Outcome.REPLAYED || outcome == Outcome.WAITED
                || outcome == Outcome.SHADOW_FIRST || outcome == Outcome.SHADOW_DUPLICATE;
        if (routine ? !decisions.isDebugEnabled() : !decisions.isInfoEnabled()) {
            return;
        }
        var event = (routine ? decisions.atDebug() : decisions.atInfo()).addKeyValue("route", route.name())
                .addKeyValue("key_hash", recordKey != null ? recordKey.keyHash() : "-")
                .addKeyValue("outcome", outcome.label());
        if (fence > 0) {
            event = event.addKeyValue("fence", fence);
        }
        event.log(note == null ? "idempotency decision" : "idempotency decision: " + note);
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
