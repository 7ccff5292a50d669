package io.idemgate.gateway.exchange;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.config.IdempotencyConfig.Mode;
import io.idemgate.gateway.idempotency.Decision;
import io.idemgate.gateway.idempotency.Decisions;
import io.idemgate.gateway.idempotency.IdempotencyKeys;
import io.idemgate.gateway.idempotency.KeyResult;
import io.idemgate.gateway.idempotency.Outcome;
import io.idemgate.gateway.idempotency.RecordKey;
import io.idemgate.gateway.identity.ScopeResult;
import io.idemgate.gateway.route.RouteIdempotency;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What an idempotent request's record is found by, read as the request arrives: the key (from its
 * header, or from the JSON body once whole; none in fingerprint mode), the scope (hashed headers, or a
 * JWT verified off the event loop) and the fingerprint; together the {@link RecordKey}. Says what the
 * route's rules make of a key or a scope; answering is the {@link IdempotentExchange}'s. Event loop only.
 */
final class RecordIdentity {

    /** What the exchange does with what was read: go on, give up on deduplicating, or refuse. */
    sealed interface Verdict {
    }

    /** Go on: the key, scope or fingerprint is good (or, for a scope, still being verified). */
    record Go() implements Verdict {
    }

    /** Forward the request without deduplicating it (an optional key absent; shadow mode unable to scope or fingerprint). */
    record PassThrough() implements Verdict {
    }

    /** Answer {@code response}, counted as {@code outcome}; {@code note} goes to the decision log. */
    record Refuse(FullHttpResponse response, Outcome outcome, String note) implements Verdict {
    }

    private static final Verdict GO = new Go();
    private static final Verdict PASS_THROUGH = new PassThrough();

    private final RequestContext rc;
    private final IdempotencyConfig config;
    private final RouteIdempotency policy;
    private boolean keyRead;
    private String key; // null in fingerprint mode
    private ScopeResult scope;
    private String fingerprint;

    RecordIdentity(RequestContext rc) {
        this.rc = rc;
        this.config = rc.route().config().idempotency();
        this.policy = rc.route().idempotency();
    }

    /** The key in the header; null when it is not to be read from the head (fingerprint mode, or in the body). */
    Verdict headerKey() {
        if (config.mode() == Mode.FINGERPRINT || !config.key().jsonPointer().isEmpty()) {
            return null;
        }
        return judge(IdempotencyKeys.fromHeaderValues(rc.request().headers().getAll(config.key().header()),
                config.key()));
    }

    /** The key in the JSON body; null when it was read from the head already (or there is none). */
    Verdict bodyKey(byte[] body) {
        if (config.mode() == Mode.FINGERPRINT || keyRead) {
            return null;
        }
        return judge(IdempotencyKeys.fromJsonBody(body, config.key().jsonPointer(), config.key()));
    }

    /** As {@link Decisions#onKey} rules. */
    private Verdict judge(KeyResult result) {
        keyRead = true;
        Decision decision = Decisions.onKey(result, policy.rules());
        if (decision instanceof Decision.Claim c) {
            key = c.key();
            return GO;
        }
        if (decision instanceof Decision.InvalidKey invalid) {
            return new Refuse(IdempotencyAnswers.invalidKey(alloc(), config.key().header(), invalid.reason()),
                    Outcome.INVALID_KEY, null);
        }
        if (decision instanceof Decision.MissingKey) {
            return new Refuse(IdempotencyAnswers.missingKey(alloc(), config.key().header()), Outcome.MISSING_KEY, null);
        }
        return PASS_THROUGH;
    }

    /** Whether the key is known before the body: then a refused scope is refused at once. */
    boolean keyKnownFromHead() {
        return keyRead || config.mode() == Mode.FINGERPRINT;
    }

    /** Resolved from the head, so a token's verification (off the loop) runs while the body arrives. */
    ScopeResult resolveScope() {
        HttpRequest request = rc.request();
        scope = policy.scope().resolve(name -> request.headers().getAll(name));
        return scope;
    }

    ScopeResult scope() {
        return scope;
    }

    /** Runs {@code then} on the loop with the verified scope if {@code wanted} still holds; the loop never waits. */
    void awaitScope(ScopeResult.Pending pending, BooleanSupplier wanted, Consumer<ScopeResult> then) {
        pending.future().thenAccept(r -> rc.ctx().executor().execute(() -> {
            if (wanted.getAsBoolean()) {
                scope = r;
                then.accept(r);
            }
        }));
    }

    /** What the route makes of {@code result}; a pending verification goes on (see {@link #awaitScope}). */
    Verdict judge(ScopeResult result) {
        if (result instanceof ScopeResult.Resolved || result instanceof ScopeResult.Pending) {
            return GO;
        }
        if (policy.rules().shadow()) {
            return PASS_THROUGH; // shadow enforces nothing, and records nothing it cannot scope
        }
        if (result instanceof ScopeResult.Required required) {
            return new Refuse(IdempotencyAnswers.scopeRequired(alloc(), required.headers()), Outcome.SCOPE_REQUIRED, null);
        }
        if (result instanceof ScopeResult.InvalidToken invalid) {
            return new Refuse(IdempotencyAnswers.invalidToken(alloc()), Outcome.INVALID_TOKEN, invalid.reason());
        }
        // Counted with the refused tokens (the outcome labels are the SPEC's); the log line says why.
        return new Refuse(IdempotencyAnswers.tokenVerificationUnavailable(alloc()), Outcome.INVALID_TOKEN,
                ((ScopeResult.Unavailable) result).reason());
    }

    /** Fingerprints the whole request; JSON nested deeper than {@code fingerprint.max-json-depth} claims nothing. */
    Verdict fingerprint(byte[] body) {
        HttpRequest request = rc.request();
        fingerprint = policy.fingerprinter().fingerprint(rc.line().methodName(), rc.line().uri(),
                name -> request.headers().getAll(name), body, request.headers().get(HttpHeaderNames.CONTENT_TYPE));
        if (fingerprint != null) {
            return GO;
        }
        return policy.rules().shadow() ? PASS_THROUGH // shadow enforces nothing
                : new Refuse(IdempotencyAnswers.tooDeep(alloc(), config.fingerprint().maxJsonDepth()), Outcome.INVALID_JSON, null);
    }

    String fingerprintValue() {
        return fingerprint;
    }

    private ByteBufAllocator alloc() {
        return rc.ctx().alloc();
    }

    /** The record's key, once the scope is resolved and the body fingerprinted. */
    RecordKey recordKey() {
        return RecordKey.of(rc.route().name(), ((ScopeResult.Resolved) scope).hash(), key, fingerprint,
                rc.services().keyHasher());
    }
}
