package io.idemgate.gateway.store;

import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.StoredResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where idempotency records live, shared by every exchange (and, for Redis, by every gateway instance).
 * Every state change is atomic for one {@code id}. All methods are asynchronous and never block the
 * caller; completion may happen on any thread, so callers hop back to their event loop.
 *
 * <p>{@code id} is an opaque fixed-length string built by {@code RecordKey#storageId()}; user input
 * never shapes it. {@code owner} identifies one attempt (gateway instance and exchange); writes by an
 * attempt that no longer owns the key (its lease was taken over) are refused and answer {@code false}.
 */
public interface IdempotencyStore extends AutoCloseable {

    /**
     * Atomically: with no record, creates {@code InFlight(fingerprint, fence = 1, owner, now + lease)} and
     * answers {@code Claimed(1, false)}. With an in-flight record whose lease has expired, or an
     * outcome-unknown record, and the same fingerprint: if {@code takeOverUnknown} replaces it by a new
     * in-flight record with {@code fence + 1} and answers {@code Claimed(fence + 1, true)}; otherwise an
     * expired in-flight record becomes {@code OutcomeUnknown} (kept for {@code unknownTtl}) and is answered
     * as {@code Existing}. Anything else answers {@code Existing(record)}.
     */
    CompletionStage<ClaimResult> claim(String id, String fingerprint, String owner, Duration lease,
                                       boolean takeOverUnknown, Duration unknownTtl);

    /** Extends the owner's lease to now + {@code lease}. False if the owner no longer holds the key. */
    CompletionStage<Boolean> renew(String id, String owner, long fence, Duration lease);

    /** Stores the answer for {@code ttl} and wakes waiters. False (and nothing written) if not the owner. */
    CompletionStage<Boolean> complete(String id, String owner, long fence, StoredResponse response, Duration ttl);

    /** Deletes the owner's in-flight record so a retry executes again, and wakes waiters. */
    CompletionStage<Boolean> release(String id, String owner, long fence);

    /** Turns the owner's in-flight record into {@code OutcomeUnknown} kept for {@code ttl}, and wakes waiters. */
    CompletionStage<Boolean> markOutcomeUnknown(String id, String owner, long fence, String reason, Duration ttl);

    CompletionStage<Optional<IdempotencyRecord>> get(String id);

    /** Purges the record whatever its state (operator action); wakes waiters. True if there was one. */
    CompletionStage<Boolean> delete(String id);

    /**
     * A future completed when the record {@code id} next changes state away from in-flight (completed,
     * released, marked, deleted, or its lease lapsed). Waiters of one id share nothing; each must cancel
     * its future when it stops waiting (e.g. on its own timeout) so the store can forget it. A store
     * may also complete it spuriously: the waiter re-claims and decides again.
     */
    CompletableFuture<Void> awaitChange(String id);

    /** Whether the store answers now. */
    CompletionStage<Boolean> ping();

    /**
     * Whether the gateway can use the store now from every one of its threads (readiness): a store with one
     * connection per event loop is ready only when every loop can reach it. By default, {@link #ping()}.
     */
    default CompletionStage<Boolean> ready() {
        return ping();
    }

    @Override
    void close();
}
