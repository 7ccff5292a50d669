package io.idemgate.gateway.idempotency;

/**
 * A body that cannot be canonicalised: not JSON, nested too deeply, or a number beyond range. The message
 * is short and safe to show a client: it never quotes the body (Jackson's own messages do, so they are
 * not chained).
 */
public final class InvalidJsonException extends Exception {

    private final boolean tooDeep;

    InvalidJsonException(String message) {
        this(message, false);
    }

    InvalidJsonException(String message, boolean tooDeep) {
        super(message, null, false, false);
        this.tooDeep = tooDeep;
    }

    /** Whether the body is JSON nested deeper than the route allows (answered 400, not hashed raw). */
    public boolean tooDeep() {
        return tooDeep;
    }
}
