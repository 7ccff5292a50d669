package io.idemgate.gateway.exchange;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.IdempotencyConfig.Mode;
import io.idemgate.gateway.idempotency.Decision;
import io.idemgate.gateway.idempotency.DecisionRules;
import io.idemgate.gateway.idempotency.Decisions;
import io.idemgate.gateway.idempotency.IdempotencyKeys;
import io.idemgate.gateway.idempotency.KeyResult;
import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.idempotency.RecordKey;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.identity.ScopeResult;
import io.idemgate.gateway.metrics.OutcomeLabel;
import io.idemgate.gateway.metrics.RejectReason;
import io.idemgate.gateway.route.RouteIdempotency;
import io.idemgate.gateway.store.ClaimResult;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The idempotent front half of an exchange: reads the key, aggregates the body ({@link AggregatedBody}),
 * fingerprints, claims the key ({@link KeyClaim}) and performs what {@link Decisions} says: execute (hand
 * over to a {@link ProxyExchange} with an {@link IdempotentExecution} tap), replay ({@link ReplayWriter}),
 * wait for the first attempt (parked on a store future, never a thread), pass through, or refuse (400,
 * 409, 413, 422, 503). Store and token answers arrive on other threads and hop back to the event loop
 * before touching anything. Owns the aggregated body until it hands it over or releases it.
 */
final class IdempotentExchange implements Exchange {

    /** See docs/architecture.md for the diagram. */
    enum State {
        /** Reading the body; the key and scope from the head are accepted already. */
        AGGREGATING,
        /** Body whole; parked on the scope's token verification. */
        SCOPING,
        /** Asked the store; its answer decides. */
        CLAIMING,
        /** The client left while the store was asked: a claim won is released when its answer comes. */
        CLAIMING_CLIENT_GONE,
        /** A duplicate parked until the first attempt's record changes or {@code wait-timeout} passes. */
        WAITING,
        /** Answered, handed over, or abandoned. */
        DONE
    }

    private final RequestContext rc;
    private final IdempotencyConfig config;
    private final RouteIdempotency policy;
    private final DecisionRules rules;
    private final AggregatedBody body;
    private final long startNanos = System.nanoTime();

    private State state = State.AGGREGATING;
    private KeyResult headerKey;
    private ScopeResult scope;
    private String key; // null in fingerprint mode
    private String fingerprint;
    private KeyClaim claim;
    private long overheadNanos;

    IdempotentExchange(RequestContext rc) {
        this.rc = rc;
        this.config = rc.route().config().idempotency();
        this.policy = rc.route().idempotency();
        this.rules = policy.rules();
        this.body = new AggregatedBody(rc, config.maxRequestBody());
    }

    State state() {
        return state;
    }

    /** Checks what the head alone can tell (key present and valid, scope, declared length), then aggregates. */
    void start() {
        long t0 = System.nanoTime();
        HttpRequest request = rc.request();
        if (config.mode() != Mode.FINGERPRINT && config.key().jsonPointer().isEmpty()) {
            headerKey = IdempotencyKeys.fromHeaderValues(request.headers().getAll(config.key().header()), policy.keyPolicy());
            if (!onKey(headerKey)) {
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
        if (body.declaredTooLarge()) {
            onTooLarge(null);
            return;
        }
        if (!body.open()) {
            overloaded(null); // refused before a byte of the body is read or a 100 Continue is sent
            return;
        }
        overheadNanos += System.nanoTime() - t0;
    }

    /** @return true to go on (the key is valid); false if the exchange was answered or passed through */
    private boolean onKey(KeyResult result) {
        Decision decision = Decisions.onKey(result, rules);
        if (decision instanceof Decision.Claim c) {
            key = c.key();
            return true;
        }
        if (decision instanceof Decision.InvalidKey invalid) {
            refuse(IdempotencyAnswers.invalidKey(alloc(), config.key().header(), invalid.reason()), Outcome.INVALID_KEY, false);
        } else if (decision instanceof Decision.MissingKey) {
            refuse(IdempotencyAnswers.missingKey(alloc(), config.key().header()), Outcome.MISSING_KEY, false);
        } else {
            // What was read of the body (all of it, when the key was to be in the body) goes first.
            passThroughAggregated(null);
        }
        return false;
    }

    /** @return true to go on (scope known or pending); false if the exchange was answered or passed through */
    private boolean acceptScope(ScopeResult result) {
        if (result instanceof ScopeResult.Resolved || result instanceof ScopeResult.Pending) {
            return true;
        }
        if (rules.shadow()) {
            passThroughAggregated(null); // shadow enforces nothing, and records nothing it cannot scope
            return false;
        }
        if (result instanceof ScopeResult.Required required) {
            refuse(IdempotencyAnswers.scopeRequired(alloc(), required.headers()), Outcome.SCOPE_REQUIRED, false);
        } else if (result instanceof ScopeResult.InvalidToken invalid) {
            logDecision(Outcome.INVALID_TOKEN, 0, invalid.reason());
            answer(IdempotencyAnswers.invalidToken(alloc()), Outcome.INVALID_TOKEN, false, null);
        } else {
            // Counted with the refused tokens (the outcome labels are the SPEC's); the log line says why.
            logDecision(Outcome.INVALID_TOKEN, 0, ((ScopeResult.Unavailable) result).reason());
            answer(IdempotencyAnswers.tokenVerificationUnavailable(alloc()), Outcome.INVALID_TOKEN, false, null);
        }
        return false;
    }

    // ---- client events

    @Override
    public void onRequestContent(HttpContent content) {
        if (state != State.AGGREGATING || !body.opened()) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            rc.connection().malformedInput();
            answer(IdempotencyAnswers.malformedBody(alloc()), null, true, RejectReason.MALFORMED.label());
            return;
        }
        switch (body.add(content)) {
            case MORE -> { }
            case COMPLETE -> onBodyComplete();
            case TOO_LARGE -> onTooLarge(content);
            case OVER_BUDGET -> overloaded(content);
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
        state = state == State.CLAIMING ? State.CLAIMING_CLIENT_GONE : State.DONE;
        body.release();
        if (claim != null) {
            claim.cancelWait();
        }
    }

    @Override
    public void onRequestBodyTimeout() {
        if (state == State.AGGREGATING) {
            // Nothing was claimed yet: the stalled request leaves no trace in the store.
            answer(IdempotencyAnswers.bodyTimeout(alloc(), rc.services().server().requestBodyTimeout().toMillis()),
                    null, true, RejectReason.BODY_TIMEOUT.label());
        }
    }

    // ---- deciding

    private void onBodyComplete() {
        long t0 = System.nanoTime();
        byte[] bytes = body.bytes();
        if (config.mode() != Mode.FINGERPRINT && headerKey == null
                && !onKey(IdempotencyKeys.fromJsonBody(bytes, config.key().jsonPointer(), policy.keyPolicy()))) {
            return;
        }
        HttpRequest request = rc.request();
        fingerprint = policy.fingerprinter().fingerprint(rc.line().methodName(), rc.line().uri(),
                name -> request.headers().getAll(name), bytes, request.headers().get(HttpHeaderNames.CONTENT_TYPE));
        overheadNanos += System.nanoTime() - t0;
        if (fingerprint == null) { // JSON nested deeper than fingerprint.max-json-depth: nothing claimed
            if (rules.shadow()) {
                passThroughAggregated(null); // shadow enforces nothing
                return;
            }
            refuse(IdempotencyAnswers.tooDeep(alloc(), config.fingerprint().maxJsonDepth()), Outcome.INVALID_JSON, false);
            return;
        }
        onScope(scope);
    }

    /** Claims once the scope is known; a pending verification parks the exchange on its future, never the loop. */
    private void onScope(ScopeResult result) {
        scope = result;
        if (result instanceof ScopeResult.Pending pending) {
            state = State.SCOPING;
            long t0 = System.nanoTime();
            pending.future().thenAccept(r -> rc.ctx().executor().execute(() -> {
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
        RecordKey recordKey = RecordKey.of(rc.route().name(), ((ScopeResult.Resolved) result).hash(), key, fingerprint,
                rc.services().keyHasher());
        claim = new KeyClaim(rc, recordKey, fingerprint);
        claim();
    }

    private void claim() {
        state = State.CLAIMING;
        claim.claim(() -> state == State.CLAIMING, this::onClaim);
    }

    private void onClaim(ClaimResult result, Throwable err) {
        if (err != null) {
            storeFailed(err);
            return;
        }
        Decision decision = result instanceof ClaimResult.Claimed c
                ? Decisions.onClaimed(c.fence(), c.tookOver())
                : Decisions.onExisting(((ClaimResult.Existing) result).record(), fingerprint, rules);
        if (decision instanceof Decision.Execute execute) {
            execute(execute);
        } else if (decision instanceof Decision.Pass) {
            logDecision(Outcome.SHADOW_DUPLICATE, 0, null);
            recordOverhead();
            forwardWholeBody(Outcome.SHADOW_DUPLICATE);
        } else if (decision instanceof Decision.Replay replay) {
            replay(replay.response());
        } else if (decision instanceof Decision.Wait) {
            state = State.WAITING;
            claim.await(this::claim, () -> conflict(false));
        } else if (decision instanceof Decision.Mismatch) {
            refuse(IdempotencyAnswers.keyReused(alloc(), IdempotencyAnswers.stateOf(((ClaimResult.Existing) result).record())),
                    Outcome.MISMATCH, false);
        } else if (decision instanceof Decision.Conflict conflict) {
            conflict(conflict.reason() == Decision.ConflictReason.OUTCOME_UNKNOWN);
        } else {
            throw new IllegalStateException("unexpected decision " + decision);
        }
    }

    // ---- acting

    /**
     * Runs the request we own the key for, recording its answer. It runs even if the client left
     * meanwhile (the hand-over then marks it "client gone"): the key is claimed, so the outcome must be
     * settled either way.
     */
    private void execute(Decision.Execute execute) {
        Outcome outcome = rules.shadow() ? Outcome.SHADOW_FIRST
                : execute.tookOver() ? Outcome.OUTCOME_UNKNOWN : Outcome.EXECUTED;
        if (!rules.shadow() && !config.fenceHeader().isEmpty()) {
            rc.request().headers().set(config.fenceHeader(), execute.fence());
        }
        logDecision(outcome, execute.fence(), execute.tookOver() && !rules.shadow() ? "took over an unknown outcome" : null);
        recordOverhead();
        state = State.DONE;
        ProxyHandOver.execute(rc, this, body.take(), body.takeReservation(), claim.execution(execute.fence()), outcome);
    }

    private void replay(StoredResponse stored) {
        Outcome outcome = claim.countWait() ? Outcome.WAITED : Outcome.REPLAYED;
        logDecision(outcome, 0, null);
        recordOverhead();
        ReplayWriter replay = new ReplayWriter(rc.route().name(), stored, rc.services().metrics(), rc.services().forwarded());
        answer(replay, stored.status(), outcome, false, null);
    }

    private void conflict(boolean outcomeUnknown) {
        claim.countWait();
        Outcome outcome = outcomeUnknown ? Outcome.OUTCOME_UNKNOWN : Outcome.CONFLICT;
        recordOverhead();
        long typical = rc.metrics().typicalUpstreamNanos();
        refuse(outcomeUnknown ? IdempotencyAnswers.outcomeUnknown(alloc(), typical)
                : IdempotencyAnswers.inFlight(alloc(), typical), outcome, false);
    }

    private void storeFailed(Throwable err) {
        DecisionLog.storeFailed(rc.route().name(), err);
        if (config.onStoreFailure() == IdempotencyConfig.OnStoreFailure.FAIL_OPEN) {
            logDecision(Outcome.FAIL_OPEN, 0, null);
            forwardWholeBody(Outcome.FAIL_OPEN);
            return;
        }
        refuse(IdempotencyAnswers.storeUnavailable(alloc()), Outcome.STORE_UNAVAILABLE, false);
    }

    /**
     * Over {@code max-request-body}: 413 and close (the rest will not be read), or in shadow mode a
     * pass-through. @param next the part that went over, or null when the declared length did
     */
    private void onTooLarge(HttpContent next) {
        if (Decisions.onTooLarge(rules) instanceof Decision.Pass) {
            passThroughAggregated(next); // shadow: too large to fingerprint, so not counted
            return;
        }
        if (next != null) {
            next.release();
        }
        refuse(IdempotencyAnswers.tooLarge(alloc(), config.maxRequestBody()), Outcome.TOO_LARGE, true);
    }

    /** The shared body budget is spent: 503 and close, since the rest of the body will not be read. */
    private void overloaded(HttpContent next) {
        if (rules.shadow() && next != null) {
            passThroughAggregated(next);
            return;
        }
        if (next != null) {
            next.release();
        }
        refuse(IdempotencyAnswers.overloaded(alloc()), Outcome.OVERLOADED, true);
    }

    /** A refusal counted as {@code outcome} and logged as a decision. */
    private void refuse(FullHttpResponse problem, Outcome outcome, boolean mustClose) {
        logDecision(outcome, 0, null);
        answer(problem, outcome, mustClose, null);
    }

    /** @param label the access log's outcome when {@code outcome} is null (a refusal counted elsewhere) */
    private void answer(FullHttpResponse response, Outcome outcome, boolean mustClose, String label) {
        answer(LocalResponse.of(response), response.status().code(), outcome, mustClose, label);
    }

    /** Answers by the gateway itself, on a {@link LocalExchange} that discards what is left of the body. */
    private void answer(LocalResponse response, int status, Outcome outcome, boolean mustClose, String label) {
        body.release();
        state = State.DONE;
        if (outcome != null) {
            rc.metrics().count(outcome);
        }
        // A client still waiting for 100 Continue will not send its body; answering and closing is the way out.
        boolean close = mustClose || body.clientAwaitsContinue() || rc.closeRequired();
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        rc.logAccess(status, outcome != null ? OutcomeLabel.of(outcome) : label, -1, startNanos,
                claim != null ? claim.key().keyHash() : null, 0);
        LocalExchange local = new LocalExchange(rc.ctx(), rc.connection(), response, rc.clientKeepAlive(),
                body.complete(), close);
        if (rc.connection().handOver(this, local)) {
            local.begin();
        }
    }

    /** Hands the request, head and whole body, to a plain pass-through exchange. */
    private void forwardWholeBody(Outcome outcome) {
        state = State.DONE;
        ProxyHandOver.wholeBody(rc, this, body.take(), body.takeReservation(), outcome);
    }

    /**
     * Gives up on deduplicating (an optional key absent, or shadow mode unable to fingerprint): what was
     * aggregated so far goes first, {@code next} after it, and the rest streams as usual.
     */
    private void passThroughAggregated(HttpContent next) {
        body.forgetExpectation();
        body.releaseReservation(); // the rest streams: what was aggregated goes out at once
        state = State.DONE;
        ProxyHandOver.partialBody(rc, this, body.take(), body.complete(), next);
    }

    // ---- bookkeeping

    private ByteBufAllocator alloc() {
        return rc.ctx().alloc();
    }

    private void recordOverhead() {
        rc.metrics().dedupOverhead(overheadNanos + (claim != null ? claim.storeNanos() : 0));
    }

    private void logDecision(Outcome outcome, long fence, String note) {
        DecisionLog.decided(rc.route().name(), claim != null ? claim.key() : null, outcome, fence, note);
    }
}
