package io.idemgate.gateway.exchange;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.IdempotencyConfig.Mode;
import io.idemgate.gateway.http.ReplayResponses;
import io.idemgate.gateway.idempotency.Decision;
import io.idemgate.gateway.idempotency.Decisions;
import io.idemgate.gateway.idempotency.IdempotencyKeys;
import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.KeyResult;
import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.idempotency.RecordKey;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.identity.ScopeResult;
import io.idemgate.gateway.metrics.OutcomeLabel;
import io.idemgate.gateway.metrics.RejectReason;
import io.idemgate.gateway.metrics.RouteMetrics;
import io.idemgate.gateway.route.Route;
import io.idemgate.gateway.route.RouteIdempotency;
import io.idemgate.gateway.store.ClaimResult;
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

/**
 * The idempotent front half of an exchange: reads the key, aggregates the body (bounded by
 * {@code max-request-body}), fingerprints, claims the key in the store and acts on the answer: execute
 * (hand over to a {@link ProxyExchange} with an {@link IdempotentExecution} tap), replay, wait for the
 * first attempt (parked on a store future, never a thread), or refuse (400, 409, 413, 422, 503).
 *
 * <p>States: {@code AGGREGATING} → ({@code SCOPING}, parked on token verification) → {@code CLAIMING} → ({@code WAITING} → {@code CLAIMING})* → handed
 * over or {@code DONE}. Store answers arrive on store threads and hop back to the event loop before
 * touching anything. Owns the aggregated body until it hands it over or releases it.
 */
final class IdempotentExchange implements Exchange {

    enum State { AGGREGATING, SCOPING, CLAIMING, WAITING, DONE }

    private final RequestContext rc;
    private final ChannelHandlerContext ctx;
    private final ClientConnection receiver;
    private final ExchangeServices services;
    private final HttpRequest request;
    private final RequestLine line;
    private final Route route;
    private final RouteIdempotency policy;
    private final IdempotencyConfig config;
    private final RouteMetrics metrics;
    private final long startNanos = System.nanoTime();

    private State state = State.AGGREGATING;
    private CompositeByteBuf body;
    private BufferedBodyBudget.Reservation reservation;
    private boolean requestComplete;
    private KeyResult headerKey;
    private ScopeResult scope;
    private RecordKey recordKey;
    private String id;
    private String fingerprint;
    private String key; // null in fingerprint mode
    private String owner;
    private long overheadNanos;
    private InFlightWait wait;
    private boolean continueSent;

    IdempotentExchange(RequestContext rc) {
        this.rc = rc;
        this.ctx = rc.ctx();
        this.receiver = rc.connection();
        this.services = rc.services();
        this.request = rc.request();
        this.line = rc.line();
        this.route = rc.route();
        this.policy = route.idempotency();
        this.config = route.config().idempotency();
        this.metrics = rc.metrics();
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
        // Resolved now, so token verification (off the loop) runs while the body arrives; refused now
        // unless the key is still to be read from the body (no key there may mean pass-through).
        scope = policy.scope().resolve(name -> request.headers().getAll(name));
        boolean keyKnown = headerKey != null || config.mode() == Mode.FINGERPRINT;
        if (keyKnown && !acceptScope(scope)) {
            return;
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        if (declared > config.maxRequestBody()) {
            if (shadow()) {
                passThrough(Outcome.PASSTHROUGH); // shadow enforces nothing: too large to fingerprint, so not counted
            } else {
                tooLarge();
            }
            return;
        }
        reservation = services.bodyBudget().open();
        if (declared > 0 && !reservation.growTo(declared)) {
            overloaded(); // refused before a byte of the body is read or a 100 Continue is sent
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
        if (shadow() && !(key instanceof KeyResult.Present)) {
            passThroughAggregated(null);
            return false;
        }
        if (key instanceof KeyResult.Invalid invalid) {
            refuse(IdempotencyAnswers.invalidKey(ctx.alloc(), config.key().header(), invalid.reason()), Outcome.INVALID_KEY, false);
            return false;
        }
        if (key instanceof KeyResult.Missing) {
            if (config.key().required() && config.mode() == Mode.KEY) {
                refuse(IdempotencyAnswers.missingKey(ctx.alloc(), config.key().header()), Outcome.MISSING_KEY, false);
            } else {
                passThrough(Outcome.PASSTHROUGH);
            }
            return false;
        }
        return true;
    }

    /** @return true to go on (scope known or pending); false if the exchange was answered or passed through */
    private boolean acceptScope(ScopeResult result) {
        if (result instanceof ScopeResult.Resolved || result instanceof ScopeResult.Pending) {
            return true;
        }
        if (shadow()) {
            passThroughAggregated(null); // shadow enforces nothing, and records nothing it cannot scope
            return false;
        }
        if (result instanceof ScopeResult.Required required) {
            refuse(IdempotencyAnswers.scopeRequired(ctx.alloc(), required.headers()), Outcome.SCOPE_REQUIRED, false);
        } else if (result instanceof ScopeResult.InvalidToken invalid) {
            logDecision(Outcome.INVALID_TOKEN, 0, invalid.reason());
            answer(IdempotencyAnswers.invalidToken(ctx.alloc()), Outcome.INVALID_TOKEN, false);
        } else {
            // Counted with the refused tokens (the outcome labels are the SPEC's); the log line says why.
            logDecision(Outcome.INVALID_TOKEN, 0, ((ScopeResult.Unavailable) result).reason());
            answer(IdempotencyAnswers.tokenVerificationUnavailable(ctx.alloc()), Outcome.INVALID_TOKEN, false);
        }
        return false;
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
            refuse(IdempotencyAnswers.malformedBody(ctx.alloc()), null, true, RejectReason.MALFORMED.label());
            return;
        }
        long total = (long) body.readableBytes() + content.content().readableBytes();
        if (total > config.maxRequestBody()) {
            if (shadow()) {
                passThroughAggregated(content);
                return;
            }
            content.release();
            tooLarge();
            return;
        }
        if (!reservation.growTo(total)) {
            if (shadow()) {
                passThroughAggregated(content);
                return;
            }
            content.release();
            overloaded();
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
        // While CLAIMING, the claim's answer releases the key if it was ours (see onClaim).
        state = State.DONE;
        releaseBody();
        cancelWait();
    }

    @Override
    public void onRequestBodyTimeout() {
        if (state == State.AGGREGATING) {
            // Nothing was claimed yet: the stalled request leaves no trace in the store.
            refuse(IdempotencyAnswers.bodyTimeout(ctx.alloc(), services.server().requestBodyTimeout().toMillis()),
                    null, true, RejectReason.BODY_TIMEOUT.label());
        }
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
        overheadNanos += System.nanoTime() - t0;
        this.key = key;
        onScope(scope);
    }

    /** Claims once the scope is known; a pending verification parks the exchange on its future, never the loop. */
    private void onScope(ScopeResult result) {
        scope = result;
        if (result instanceof ScopeResult.Pending pending) {
            state = State.SCOPING;
            long t0 = System.nanoTime();
            pending.future().thenAccept(r -> ctx.executor().execute(() -> {
                if (state == State.SCOPING) {
                    overheadNanos += System.nanoTime() - t0;
                    onScope(r);
                }
            }));
            return;
        }
        if (!acceptScope(result)) {
            return;
        }
        recordKey = RecordKey.of(route.name(), ((ScopeResult.Resolved) result).hash(), key, fingerprint, services.keyHasher());
        id = recordKey.storageId();
        owner = services.owners().next();
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
            refuse(IdempotencyAnswers.keyReused(ctx.alloc()), Outcome.MISMATCH, false);
        } else if (decision instanceof Decision.Conflict conflict) {
            conflict(conflict.reason() == Decision.ConflictReason.OUTCOME_UNKNOWN);
        } else {
            throw new IllegalStateException("unexpected decision " + decision);
        }
    }

    private void startWaiting() {
        state = State.WAITING;
        if (wait == null) {
            wait = new InFlightWait(ctx.executor(), services.store(), id, config.waitTimeout(), metrics::waitingChanged);
        }
        wait.await(this::claim, () -> conflict(false));
    }

    private void cancelWait() {
        if (wait != null) {
            wait.cancel();
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
                route.name(), id, recordKey.keyHash(), owner, fence, policy.storedHeaders());
        ProxyHandOver.execute(rc, this, takeBody(), takeReservation(), execution, outcome);
    }

    private void replay(StoredResponse stored) {
        boolean waited = wait != null && wait.started();
        Outcome outcome = waited ? Outcome.WAITED : Outcome.REPLAYED;
        if (waited) {
            metrics.waited(wait.waitedNanos());
        }
        logDecision(outcome, 0, null);
        recordOverhead();
        LocalResponse response = ReplayResponses.fitsOneMessage(stored)
                ? LocalResponse.of(ReplayResponses.build(stored))
                : new ReplayStream(route.name(), stored, services.metrics());
        services.forwarded().applyToResponse(response.headers());
        answer(response, stored.status(), outcome, false);
    }

    private void conflict(boolean outcomeUnknown) {
        if (wait != null && wait.started()) {
            metrics.waited(wait.waitedNanos());
        }
        Outcome outcome = outcomeUnknown ? Outcome.OUTCOME_UNKNOWN : Outcome.CONFLICT;
        logDecision(outcome, 0, null);
        recordOverhead();
        long typical = metrics.typicalUpstreamNanos();
        answer(outcomeUnknown ? IdempotencyAnswers.outcomeUnknown(ctx.alloc(), typical)
                : IdempotencyAnswers.inFlight(ctx.alloc(), typical), outcome, false);
    }

    private void storeFailed(Throwable err) {
        DecisionLog.storeFailed(route.name(), err);
        if (config.onStoreFailure() == IdempotencyConfig.OnStoreFailure.FAIL_OPEN) {
            logDecision(Outcome.FAIL_OPEN, 0, null);
            forwardWholeBody(Outcome.FAIL_OPEN);
            return;
        }
        logDecision(Outcome.STORE_UNAVAILABLE, 0, null);
        answer(IdempotencyAnswers.storeUnavailable(ctx.alloc()), Outcome.STORE_UNAVAILABLE, false);
    }

    /** The shared body budget is spent: 503 and close, since the rest of the body will not be read. */
    private void overloaded() {
        refuse(IdempotencyAnswers.overloaded(ctx.alloc()), Outcome.OVERLOADED, true);
    }

    private void tooLarge() {
        refuse(IdempotencyAnswers.tooLarge(ctx.alloc(), config.maxRequestBody()), Outcome.TOO_LARGE, true);
    }

    private void refuse(FullHttpResponse problem, Outcome outcome, boolean mustClose) {
        refuse(problem, outcome, mustClose, null);
    }

    /** @param label the access log's outcome when {@code outcome} is null (a refusal counted elsewhere) */
    private void refuse(FullHttpResponse problem, Outcome outcome, boolean mustClose, String label) {
        if (outcome != null) {
            logDecision(outcome, 0, null);
        }
        answer(LocalResponse.of(problem), problem.status().code(), outcome, mustClose, label);
    }

    /** Answers by the gateway itself, on a {@link LocalExchange} that discards what is left of the body. */
    private void answer(FullHttpResponse response, Outcome outcome, boolean mustClose) {
        answer(LocalResponse.of(response), response.status().code(), outcome, mustClose, null);
    }

    private void answer(LocalResponse response, int status, Outcome outcome, boolean mustClose) {
        answer(response, status, outcome, mustClose, null);
    }

    private void answer(LocalResponse response, int status, Outcome outcome, boolean mustClose, String label) {
        releaseBody();
        state = State.DONE;
        if (outcome != null) {
            metrics.count(outcome);
        }
        // A client still waiting for 100 Continue will not send its body; answering and closing is the way out.
        boolean awaitingContinue = HttpUtil.is100ContinueExpected(request) && !continueSent && !requestComplete;
        boolean close = mustClose || awaitingContinue || rc.closeRequired();
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        rc.logAccess(status, outcome != null ? OutcomeLabel.of(outcome) : label != null ? label : RejectReason.MALFORMED.label(),
                -1, startNanos, recordKey != null ? recordKey.keyHash() : null, 0);
        LocalExchange local = new LocalExchange(ctx, receiver, response, rc.clientKeepAlive(), requestComplete, close);
        if (receiver.handOver(this, local)) {
            local.begin();
        }
    }

    /** Hands the request, head and whole body, to a plain pass-through exchange. */
    private void forwardWholeBody(Outcome outcome) {
        ProxyHandOver.wholeBody(rc, this, takeBody(), takeReservation(), outcome);
    }

    /**
     * Shadow mode gives up on a request it cannot fingerprint (no valid key, body over the limit): what
     * was aggregated so far goes first, {@code next} after it, and the rest streams as usual.
     */
    private void passThroughAggregated(HttpContent next) {
        if (continueSent) {
            request.headers().remove(HttpHeaderNames.EXPECT);
        }
        releaseReservation(); // the rest streams: what was aggregated goes out at once
        ProxyHandOver.partialBody(rc, this, takeBody(), requestComplete, next);
    }

    /** Before any body was read: the rest streams as usual. */
    private void passThrough(Outcome outcome) {
        state = State.DONE;
        ProxyHandOver.headOnly(rc, this, outcome);
    }

    private boolean shadow() {
        return config.mode() == Mode.SHADOW;
    }

    // ---- bookkeeping

    private void recordOverhead() {
        metrics.dedupOverhead(overheadNanos);
    }

    private void logDecision(Outcome outcome, long fence, String note) {
        DecisionLog.decided(route.name(), recordKey, outcome, fence, note);
    }

    /**
     * The aggregated body, now the caller's; the exchange is done. Its share of the body budget goes
     * with it ({@link #takeReservation}) until it is written to an upstream.
     */
    private CompositeByteBuf takeBody() {
        CompositeByteBuf b = body;
        body = null;
        state = State.DONE;
        return b;
    }

    private BufferedBodyBudget.Reservation takeReservation() {
        BufferedBodyBudget.Reservation r = reservation;
        reservation = null;
        return r;
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
        releaseReservation();
    }

    private void releaseReservation() {
        if (reservation != null) {
            reservation.release();
        }
    }
}
