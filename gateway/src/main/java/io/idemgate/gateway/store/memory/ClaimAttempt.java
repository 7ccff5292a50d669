package io.idemgate.gateway.store.memory;

import io.idemgate.gateway.idempotency.IdempotencyRecord;
import io.idemgate.gateway.idempotency.IdempotencyRecord.InFlight;
import io.idemgate.gateway.idempotency.IdempotencyRecord.OutcomeUnknown;
import io.idemgate.gateway.store.ClaimResult;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The claim rules of {@code IdempotencyStore#claim} for one call, as a pure transition from the live
 * record (null when there is none) to the record to keep. It also carries the answer out of the map's
 * {@code compute}, which can only return the new value.
 *
 * <p>Threading: one instance per call, used by one thread.
 */
final class ClaimAttempt {

    static final String LEASE_LAPSED = "lease expired before the owner finished";

    private final String fingerprint;
    private final String owner;
    private final Duration lease;
    private final boolean takeOverUnknown;
    private final Duration unknownTtl;
    private final LongSupplier fences;

    /** The answer of the last {@link #next}. */
    ClaimResult result;
    /** The last {@link #next} moved an in-flight record on, so its waiters must be woken. */
    boolean leaseLapsed;

    /** @param fences the store's next fence, strictly above every fence it handed out before */
    ClaimAttempt(String fingerprint, String owner, Duration lease, boolean takeOverUnknown, Duration unknownTtl,
                 LongSupplier fences) {
        this.fences = fences;
        this.fingerprint = fingerprint;
        this.owner = owner;
        this.lease = lease;
        this.takeOverUnknown = takeOverUnknown;
        this.unknownTtl = unknownTtl;
    }

    /** The record to keep after this claim; {@code current} itself when nothing changes. */
    IdempotencyRecord next(IdempotencyRecord current, Instant now) {
        leaseLapsed = false;
        if (current == null) {
            long fence = fences.getAsLong();
            result = new ClaimResult.Claimed(fence, false);
            return inFlight(fence, now);
        }
        boolean sameRequest = current.fingerprint().equals(fingerprint);
        if (current instanceof InFlight inFlight && !now.isBefore(inFlight.leaseUntil())) {
            leaseLapsed = true;
            if (takeOverUnknown && sameRequest) {
                return takeOver(inFlight, now);
            }
            // Nobody finished the first attempt: it may or may not have taken effect.
            OutcomeUnknown unknown = new OutcomeUnknown(inFlight.fingerprint(), inFlight.fence(), LEASE_LAPSED,
                    inFlight.createdAt(), inFlight.leaseUntil(), now.plus(unknownTtl));
            result = new ClaimResult.Existing(unknown);
            return unknown;
        }
        if (current instanceof OutcomeUnknown && takeOverUnknown && sameRequest) {
            return takeOver(current, now);
        }
        result = new ClaimResult.Existing(current);
        return current;
    }

    private IdempotencyRecord takeOver(IdempotencyRecord previous, Instant now) {
        long fence = Math.max(previous.fence() + 1, fences.getAsLong());
        result = new ClaimResult.Claimed(fence, true);
        return inFlight(fence, now);
    }

    private InFlight inFlight(long fence, Instant now) {
        return new InFlight(fingerprint, fence, owner, now.plus(lease), now);
    }
}
