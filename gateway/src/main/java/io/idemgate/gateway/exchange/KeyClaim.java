package io.idemgate.gateway.exchange;

import io.idemgate.gateway.config.IdempotencyConfig;
import io.idemgate.gateway.idempotency.RecordKey;
import io.idemgate.gateway.store.ClaimResult;
import io.idemgate.gateway.store.IdempotencyStore;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * An idempotent exchange's dealings with the store over one record: the claim (as owner of a fresh
 * attempt id), the answer hopping back to the event loop, a duplicate's wait for the attempt in flight,
 * and the record side of an execution. A claim won after the exchange stopped wanting it (the client
 * left meanwhile) is released at once: nothing ran, so a retry may. Event loop only.
 */
final class KeyClaim {

    private final RequestContext rc;
    private final IdempotencyConfig config;
    private final IdempotencyStore store;
    private final RecordKey key;
    private final String fingerprint;
    private final String owner;
    private InFlightWait wait;
    private long storeNanos;

    KeyClaim(RequestContext rc, RecordKey key, String fingerprint) {
        this.rc = rc;
        this.config = rc.route().config().idempotency();
        this.store = rc.services().store();
        this.key = key;
        this.fingerprint = fingerprint;
        this.owner = rc.services().owners().next();
    }

    RecordKey key() {
        return key;
    }

    String fingerprint() {
        return fingerprint;
    }

    /**
     * Asks the store; {@code onAnswer} runs on the loop if {@code wanted} still holds when the answer
     * comes, else a claim won is released.
     */
    void claim(BooleanSupplier wanted, BiConsumer<ClaimResult, Throwable> onAnswer) {
        long t0 = System.nanoTime();
        store.claim(key.storageId(), fingerprint, owner, config.lease(),
                        config.outcomeUnknown() == IdempotencyConfig.OutcomeUnknown.REEXECUTE, config.ttl())
                .whenComplete((result, err) -> rc.ctx().executor().execute(() -> {
                    storeNanos += System.nanoTime() - t0;
                    if (wanted.getAsBoolean()) {
                        onAnswer.accept(result, err);
                    } else if (result instanceof ClaimResult.Claimed c) {
                        store.release(key.storageId(), owner, c.fence());
                    }
                }));
    }

    /** Waits for the record to change, or for {@code wait-timeout} over all rounds; one runs, on the loop. */
    void await(Runnable onChange, Runnable onTimeout) {
        if (wait == null) {
            wait = new InFlightWait(rc.ctx().executor(), store, key.storageId(), config.waitTimeout(),
                    rc.metrics()::waitingChanged);
        }
        wait.await(onChange, onTimeout);
    }

    void cancelWait() {
        if (wait != null) {
            wait.cancel();
        }
    }

    /** Whether this request waited for another attempt; if so, the wait is counted now. */
    boolean countWait() {
        if (wait != null && wait.started()) {
            rc.metrics().waited(wait.waitedNanos());
            return true;
        }
        return false;
    }

    /** Time spent waiting for the store's answers to claims. */
    long storeNanos() {
        return storeNanos;
    }

    /** The record side of running the request this claim won with {@code fence}. */
    IdempotentExecution execution(long fence) {
        return new IdempotentExecution(store, config, rc.route().idempotency().rules(), rc.metrics(),
                rc.ctx().executor(), rc.route().name(), key.storageId(), key.keyHash(), owner, fence,
                rc.route().idempotency().storedHeaders());
    }
}
