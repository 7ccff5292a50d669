package io.idemgate.gateway.store;

import io.idemgate.gateway.idempotency.IdempotencyRecord;

/** The answer to {@link IdempotencyStore#claim}: either this attempt owns the key now, or the key's current record. */
public sealed interface ClaimResult {

    /**
     * This attempt owns the key and must execute, then complete, release or mark it.
     *
     * @param fence this attempt's fencing number
     * @param tookOver the key was in flight with an expired lease, or outcome-unknown, and is re-executed
     *                 under {@code outcome-unknown = reexecute}
     */
    record Claimed(long fence, boolean tookOver) implements ClaimResult {
    }

    /**
     * Someone else's record. Its fingerprint may differ from the claimant's (the caller answers 422).
     * An in-flight record whose lease expired is returned as {@link IdempotencyRecord.OutcomeUnknown}
     * (and stored as such) when the claim did not ask for a takeover or the fingerprints differ.
     */
    record Existing(IdempotencyRecord record) implements ClaimResult {
    }
}
