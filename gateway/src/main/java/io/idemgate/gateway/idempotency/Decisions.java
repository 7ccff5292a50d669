package io.idemgate.gateway.idempotency;

/**
 * The idempotency rules, all of them, as one table: for each moment of an exchange (a key read, a body
 * over the limit, the store's answer to a claim, the upstream's answer), what to do under a route's
 * {@link DecisionRules}. The exchange performs what is decided here and decides nothing itself.
 * Stateless and thread-safe.
 */
public final class Decisions {

    private static final Decision PASS = new Decision.Pass();
    private static final Decision MISSING_KEY = new Decision.MissingKey();
    private static final Decision TOO_LARGE = new Decision.TooLarge();
    private static final Decision WAIT = new Decision.Wait();
    private static final Decision MISMATCH = new Decision.Mismatch();
    private static final Decision IN_FLIGHT = new Decision.Conflict(Decision.ConflictReason.IN_FLIGHT);
    private static final Decision OUTCOME_UNKNOWN = new Decision.Conflict(Decision.ConflictReason.OUTCOME_UNKNOWN);

    private Decisions() {
    }

    /** The key was read (from the header, or from the body once whole). Shadow mode refuses nothing. */
    public static Decision onKey(KeyResult key, DecisionRules rules) {
        if (key instanceof KeyResult.Present present) {
            return new Decision.Claim(present.key());
        }
        if (rules.shadow()) {
            return PASS;
        }
        if (key instanceof KeyResult.Invalid invalid) {
            return new Decision.InvalidKey(invalid.reason());
        }
        return rules.keyRequired() ? MISSING_KEY : PASS;
    }

    /** The body is over {@code max-request-body}: too large to fingerprint. */
    public static Decision onTooLarge(DecisionRules rules) {
        return rules.shadow() ? PASS : TOO_LARGE;
    }

    /** The claim made this request the key's owner. */
    public static Decision onClaimed(long fence, boolean tookOver) {
        return new Decision.Execute(fence, tookOver);
    }

    /**
     * The claim found someone else's record. Shadow mode forwards the duplicate. A different fingerprint
     * wins over every state (the key was reused for another request). An outcome-unknown record is always
     * a conflict here: in reexecute mode the store has already taken over a matching one and answered
     * Claimed, and re-executing without the store's new fence would let two attempts run under one key.
     */
    public static Decision onExisting(IdempotencyRecord existing, String requestFingerprint, DecisionRules rules) {
        if (rules.shadow()) {
            return PASS;
        }
        if (!existing.fingerprint().equals(requestFingerprint)) {
            return MISMATCH;
        }
        if (existing instanceof IdempotencyRecord.Completed completed) {
            return new Decision.Replay(completed.response());
        }
        if (existing instanceof IdempotencyRecord.InFlight) {
            return rules.waitForInFlight() ? WAIT : IN_FLIGHT;
        }
        return OUTCOME_UNKNOWN;
    }

    /** The upstream answered {@code status}: stored for retries, or the key released so a retry runs again. */
    public static Decision.Settlement onResponse(int status, DecisionRules rules) {
        return rules.storeStatus().test(status) && !rules.releaseStatus().test(status)
                ? Decision.Settlement.STORE : Decision.Settlement.RELEASE;
    }
}
