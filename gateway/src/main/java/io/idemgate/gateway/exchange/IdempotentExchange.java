package io.idemgate.gateway.exchange;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.idempotency.Decision;
import io.idemgate.gateway.idempotency.DecisionRules;
import io.idemgate.gateway.idempotency.Decisions;
import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.idempotency.StoredResponse;
import io.idemgate.gateway.identity.ScopeResult;
import io.idemgate.gateway.metrics.OutcomeLabel;
import io.idemgate.gateway.metrics.RejectReason;
import io.idemgate.gateway.store.ClaimResult;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent front half of an exchange: reads the key and scope ({@link RecordIdentity}), aggregates
 * the body ({@link AggregatedBody}), fingerprints, claims the key ({@link KeyClaim}) and performs what
 * {@link Decisions} says: execute (hand over to a {@link ProxyExchange} with an {@link IdempotentExecution}
 * tap), replay ({@link ReplayWriter}), wait for the first attempt (parked on a store future, never a
 * thread), pass through, or refuse (400, 409, 413, 422, 503). Its states and their moves are in
 * {@link IdempotentState}. Store and token answers arrive on other threads and hop back to the event loop
 * before touching anything. Owns the aggregated body until it hands it over or releases it.
 */
final class IdempotentExchange implements Exchange {

    private static final Logger log = LoggerFactory.getLogger(IdempotentExchange.class);

    private final RequestContext rc;
    private final IdempotencyConfig config;
    private final DecisionRules rules;
    private final AggregatedBody body;
    private final RecordIdentity identity;
    private final long startNanos = System.nanoTime();

    private IdempotentState state = IdempotentState.AGGREGATING;
    private KeyClaim claim;
    private long overheadNanos;

    IdempotentExchange(RequestContext rc) {
        this.rc = rc;
        this.config = rc.route().config().idempotency();
        this.rules = rc.route().idempotency().rules();
        this.body = new AggregatedBody(rc, config.maxRequestBody());
        this.identity = new RecordIdentity(rc);
    }

    IdempotentState state() {
        return state;
    }

    /** Checks what the head alone can tell (key present and valid, scope, declared length), then aggregates. */
    void start() {
        long t0 = System.nanoTime();
        RecordIdentity.Verdict headerKey = identity.headerKey();
        if (headerKey != null && !goOn(headerKey)) {
            return;
        }
        // Refused now unless the key is still to be read from the body (no key there may mean pass-through).
        ScopeResult scope = identity.resolveScope();
        if (identity.keyKnownFromHead() && !goOn(identity.judge(scope))) {
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

    /** @return true to go on; false if the exchange was refused or passed through (what was read goes first) */
    private boolean goOn(RecordIdentity.Verdict verdict) {
        if (verdict instanceof RecordIdentity.Refuse r) {
            logDecision(r.outcome(), 0, r.note());
            answer(r.response(), r.outcome(), false, null);
            return false;
        }
        if (verdict instanceof RecordIdentity.PassThrough) {
            passThroughAggregated(null);
            return false;
        }
        return true;
    }

    // ---- client events

    @Override
    public void onRequestContent(HttpContent content) {
        if (state != IdempotentState.AGGREGATING || !body.opened()) {
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
    public void onClientClosed() {
        moveTo(state == IdempotentState.CLAIMING ? IdempotentState.CLAIMING_CLIENT_GONE : IdempotentState.DONE);
        body.release();
        if (claim != null) {
            claim.cancelWait();
        }
    }

    @Override
    public void onRequestBodyTimeout() {
        if (state == IdempotentState.AGGREGATING) {
            // Nothing was claimed yet: the stalled request leaves no trace in the store.
            answer(IdempotencyAnswers.bodyTimeout(alloc(), rc.services().server().requestBodyTimeout().toMillis()),
                    null, true, RejectReason.BODY_TIMEOUT.label());
        }
    }

    // ---- deciding

    private void onBodyComplete() {
        long t0 = System.nanoTime();
        byte[] bytes = body.bytes();
        RecordIdentity.Verdict bodyKey = identity.bodyKey(bytes);
        if (bodyKey != null && !goOn(bodyKey)) {
            return;
        }
        RecordIdentity.Verdict fingerprinted = identity.fingerprint(bytes);
        overheadNanos += System.nanoTime() - t0;
        if (goOn(fingerprinted)) {
            onScope(identity.scope());
        }
    }

    /** Claims once the scope is known; a pending verification parks the exchange on its future, never the loop. */
    private void onScope(ScopeResult result) {
        if (result instanceof ScopeResult.Pending pending) {
            if (moveTo(IdempotentState.SCOPING)) {
                long t0 = System.nanoTime();
                identity.awaitScope(pending, () -> state == IdempotentState.SCOPING, verified -> {
                    overheadNanos += System.nanoTime() - t0;
                    onScope(verified);
                });
            }
            return;
        }
        if (goOn(identity.judge(result))) {
            claim = new KeyClaim(rc, identity.recordKey(), identity.fingerprintValue());
            claim();
        }
    }

    private void claim() {
        if (moveTo(IdempotentState.CLAIMING)) {
            claim.claim(() -> state == IdempotentState.CLAIMING, this::onClaim);
        }
    }

    private void onClaim(ClaimResult result, Throwable err) {
        if (err != null) {
            storeFailed(err);
            return;
        }
        Decision decision = result instanceof ClaimResult.Claimed c
                ? Decisions.onClaimed(c.fence(), c.tookOver())
                : Decisions.onExisting(((ClaimResult.Existing) result).record(), claim.fingerprint(), rules);
        if (decision instanceof Decision.Execute execute) {
            execute(execute);
        } else if (decision instanceof Decision.Pass) {
            logDecision(Outcome.SHADOW_DUPLICATE, 0, null);
            recordOverhead();
            forwardWholeBody(Outcome.SHADOW_DUPLICATE);
        } else if (decision instanceof Decision.Replay replay) {
            replay(replay.response());
        } else if (decision instanceof Decision.Wait) {
            if (moveTo(IdempotentState.WAITING)) {
                claim.await(this::claim, () -> conflict(false));
            }
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
        moveTo(IdempotentState.DONE);
        HandOver.execute(rc, this, body.take(), body.takeReservation(), claim.execution(execute.fence()), outcome);
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
     * pass-through (too large to fingerprint, so not counted). @param next the part that went over, or
     * null when the declared length did
     */
    private void onTooLarge(HttpContent next) {
        if (Decisions.onTooLarge(rules) instanceof Decision.Pass) {
            passThroughAggregated(next);
        } else {
            ReferenceCountUtil.release(next);
            refuse(IdempotencyAnswers.tooLarge(alloc(), config.maxRequestBody()), Outcome.TOO_LARGE, true);
        }
    }

    /** The shared body budget is spent: 503 and close, since the rest of the body will not be read. */
    private void overloaded(HttpContent next) {
        if (rules.shadow() && next != null) {
            passThroughAggregated(next);
        } else {
            ReferenceCountUtil.release(next);
            refuse(IdempotencyAnswers.overloaded(alloc()), Outcome.OVERLOADED, true);
        }
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
        moveTo(IdempotentState.DONE);
        if (outcome != null) {
            rc.metrics().count(outcome);
        }
        rc.logAccess(status, outcome != null ? OutcomeLabel.of(outcome) : label, -1, startNanos,
                claim != null ? claim.key().keyHash() : null, 0);
        // A client still waiting for 100 Continue will not send its body; answering and closing is the way out.
        HandOver.local(rc, this, response, body.complete(), mustClose || body.clientAwaitsContinue() || rc.closeRequired());
    }

    /** Hands the request, head and whole body, to a plain pass-through exchange. */
    private void forwardWholeBody(Outcome outcome) {
        moveTo(IdempotentState.DONE);
        HandOver.wholeBody(rc, this, body.take(), body.takeReservation(), outcome);
    }

    /**
     * Gives up on deduplicating (an optional key absent, or shadow mode unable to fingerprint): what was
     * aggregated so far goes first, {@code next} after it, and the rest streams as usual.
     */
    private void passThroughAggregated(HttpContent next) {
        body.forgetExpectation();
        body.releaseReservation(); // the rest streams: what was aggregated goes out at once
        moveTo(IdempotentState.DONE);
        HandOver.partialBody(rc, this, body.take(), body.complete(), next);
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

    /**
     * Moves by the {@link IdempotentState} table. A move the table forbids is a bug: it is logged, and the
     * exchange ends by closing the client, never left half-way (a claim won meanwhile is then released).
     */
    private boolean moveTo(IdempotentState next) { // every state may move to DONE
        if (state.canMoveTo(next)) {
            state = next;
            return true;
        }
        log.warn("idempotent exchange: no move from {} to {}; closing the client", state, next);
        state = IdempotentState.DONE;
        body.release();
        if (claim != null) {
            claim.cancelWait();
        }
        rc.ctx().close();
        return false;
    }
}
