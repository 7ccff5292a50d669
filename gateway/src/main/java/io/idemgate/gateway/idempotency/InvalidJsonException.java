package io.idemgate.gateway.idempotency;

/**
 * A body that cannot be canonicalised: not JSON, nested too deeply, or a number beyond range. The message
 * is short and safe to show a client: it never quotes the body (Jackson's own messages do, so they are
 * not chained).
 */
public final class InvalidJsonException extends Exception {

    InvalidJsonException(String message) {
        super(message, null, false, false);
    }
}
