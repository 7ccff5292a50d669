package io.idemgate.gateway.idempotency;

import java.util.Optional;

/** The pure decision rules; the exchange performs them. Stateless and thread-safe. */
public final class Decisions {

    private static final Decision PASS = new Decision.Pass();
    private static final Decision MISSING_KEY = new Decision.MissingKey();
    private static final Decision WAIT = new Decision.Wait();
    private static final Decision MISMATCH = new Decision.Mismatch();
    private static final Decision IN_FLIGHT = new Decision.Conflict(Decision.ConflictReason.IN_FLIGHT);
    private static final Decision OUTCOME_UNKNOWN = new Decision.Conflict(Decision.ConflictReason.OUTCOME_UNKNOWN);

    private Decisions() {
    }

    /** Before the store is asked: empty when the key is present and the request goes on to claim it. */
    public static Optional<Decision> beforeClaim(KeyResult key, boolean keyRequired) {
        if (key instanceof KeyResult.Invalid invalid) {
            return Optional.of(new Decision.InvalidKey(invalid.reason()));
        }
        if (key instanceof KeyResult.Missing) {
            return Optional.of(keyRequired ? MISSING_KEY : PASS);
        }
        return Optional.empty();
    }

    /**
     * The claim found someone else's record. A different fingerprint wins over every state (the key was
     * reused for another request). An outcome-unknown record is always a conflict here: in reexecute
     * mode the store has already taken over a matching one and answered Claimed, and re-executing
     * without the store's new fence would let two attempts run under one key.
     */
    public static Decision onExisting(IdempotencyRecord existing, String requestFingerprint, ConcurrencyPolicy policy) {
        if (!existing.fingerprint().equals(requestFingerprint)) {
            return MISMATCH;
        }
        if (existing instanceof IdempotencyRecord.Completed completed) {
            return new Decision.Replay(completed.response());
        }
        if (existing instanceof IdempotencyRecord.InFlight) {
            return policy.waitForInFlight() ? WAIT : IN_FLIGHT;
        }
        return OUTCOME_UNKNOWN;
    }
}
