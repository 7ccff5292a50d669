package io.idemgate.loadtest.load;

/** How one request ended, as the client can tell it from the status and {@code Idempotent-Replayed}. */
public enum Outcome {
    /** Answered without {@code Idempotent-Replayed}: the upstream executed it (or it was never deduplicated). */
    FIRST("first"),
    /** A replay of a completed key. */
    REPLAYED("replayed"),
    /** A replay for a key that had another request in flight when this one was sent: it waited for the first. */
    WAITED("waited"),
    /** {@code 409}: in flight (reject mode or wait timeout) or outcome unknown. */
    CONFLICT("conflict"),
    /** {@code 422}: the key was reused with a different payload. */
    MISMATCH("mismatch"),
    /** Any other {@code 4xx}. */
    CLIENT_ERROR("client_error"),
    /** {@code 5xx}, a timeout, a closed connection or a request dropped from a full backlog. */
    ERROR("error");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** @param otherInFlight whether another request with the same key was in flight when this one was sent */
    static Outcome classify(int status, boolean replayed, boolean otherInFlight) {
        if (status == 409) {
            return CONFLICT;
        }
        if (status == 422) {
            return MISMATCH;
        }
        if (status >= 500 || status < 100) {
            return ERROR;
        }
        if (replayed) {
            return otherInFlight ? WAITED : REPLAYED;
        }
        return status >= 400 ? CLIENT_ERROR : FIRST;
    }
}
