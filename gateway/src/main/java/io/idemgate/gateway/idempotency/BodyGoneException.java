package io.idemgate.gateway.idempotency;

/** A chunk of a stored body is no longer in the store: its record expired or was purged during a replay. */
public final class BodyGoneException extends RuntimeException {

    public BodyGoneException(String message) {
        super(message, null, false, false);
    }
}
