package io.idemgate.gateway.idempotency;

import java.time.Instant;

/**
 * The stored state of one idempotency key. Every state carries the request fingerprint it was created
 * for and the fencing number of the attempt that owns (or owned) it.
 */
public sealed interface IdempotencyRecord {

    String fingerprint();

    /** Grows by one with every takeover of the key, so an upstream that opts in can reject stale attempts. */
    long fence();

    Instant createdAt();

    /** The first request is executing; {@code owner} holds a lease it renews until {@code leaseUntil}. */
    record InFlight(String fingerprint, long fence, String owner, Instant leaseUntil, Instant createdAt)
            implements IdempotencyRecord {
    }

    /** The first request finished with a stored answer, kept until {@code expiresAt}. */
    record Completed(String fingerprint, long fence, StoredResponse response, Instant createdAt,
                     Instant completedAt, Instant expiresAt) implements IdempotencyRecord {
    }

    /**
     * The first request may or may not have taken effect (upstream timed out or reset after the request
     * was sent, or the owner's lease ran out). Kept until {@code expiresAt} or an operator purges it.
     */
    record OutcomeUnknown(String fingerprint, long fence, String reason, Instant createdAt, Instant since,
                          Instant expiresAt) implements IdempotencyRecord {
    }
}
