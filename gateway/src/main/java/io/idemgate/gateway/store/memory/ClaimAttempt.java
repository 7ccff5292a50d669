package io.idemgate.gateway.store.memory;

import io.idemgate.gateway.store.ClaimResult;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The claim rules of {@code IdempotencyStore#claim} for one call, as a pure transition from the live
 * slot (null when there is none) to the slot to keep. It also carries the answer out of the map's
 * {@code compute}, which can only return the new value.
 *
 * <p>Threading: one instance per call, used by one thread.
 */
final class ClaimAttempt {

    static final String LEASE_LAPSED = "lease expired before the owner finished";

    /** The claimant's fingerprint, encoded once: compared as bytes, and the head of its in-flight record. */
    private final byte[] fingerprint;
    private final String owner;
    private final Duration lease;
    private final boolean takeOverUnknown;
    private final Duration unknownTtl;
    private final LongSupplier fences;
    private final LongSupplier sequence;

    /** The answer of the last {@link #next}. */
    ClaimResult result;
    /** The last {@link #next} moved an in-flight record on, so its waiters must be woken. */
    boolean leaseLapsed;

    /**
     * @param fences the store's next fence, strictly above every fence it handed out before
     * @param sequence the store's next slot sequence number
     */
    ClaimAttempt(String fingerprint, String owner, Duration lease, boolean takeOverUnknown, Duration unknownTtl,
                 LongSupplier fences, LongSupplier sequence) {
        this.fingerprint = RecordBytes.fingerprint(fingerprint);
        this.owner = owner;
        this.lease = lease;
        this.takeOverUnknown = takeOverUnknown;
        this.unknownTtl = unknownTtl;
        this.fences = fences;
        this.sequence = sequence;
    }

    /** The slot to keep after this claim; {@code current} itself when nothing changes. */
    Slot next(PackedId id, Slot current, Instant now) {
        leaseLapsed = false;
        if (current == null) {
            long fence = fences.getAsLong();
            result = new ClaimResult.Claimed(fence, false);
            return inFlight(id, fence, now);
        }
        boolean sameRequest = current.sameFingerprint(fingerprint);
        if (current.leaseLapsed(now)) {
            leaseLapsed = true;
            if (takeOverUnknown && sameRequest) {
                return takeOver(current, now);
            }
            // Nobody finished the first attempt: it may or may not have taken effect.
            Slot unknown = current.lapsed(LEASE_LAPSED, now.plus(unknownTtl), sequence.getAsLong());
            result = new ClaimResult.Existing(unknown.record());
            return unknown;
        }
        if (current.state == Slot.UNKNOWN && takeOverUnknown && sameRequest) {
            return takeOver(current, now);
        }
        result = new ClaimResult.Existing(current.record());
        return current;
    }

    private Slot takeOver(Slot previous, Instant now) {
        long fence = Math.max(previous.fence + 1, fences.getAsLong());
        result = new ClaimResult.Claimed(fence, true);
        return inFlight(previous.id, fence, now);
    }

    private Slot inFlight(PackedId id, long fence, Instant now) {
        return Slot.inFlight(id, fingerprint, fence, owner, now.plus(lease), now, sequence.getAsLong());
    }
}
