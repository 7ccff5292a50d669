package io.idemgate.gateway.idempotency;

/** The outcome of reading a request's idempotency key. */
public sealed interface KeyResult {

    /** A well-formed key, unquoted. Its {@code toString} shows only its length, so logging it leaks nothing. */
    record Present(String key) implements KeyResult {

        @Override
        public String toString() {
            return "Present[length=" + key.length() + "]";
        }
    }

    record Missing() implements KeyResult {
    }

    /** @param reason short, safe to show the client; never contains the key */
    record Invalid(String reason) implements KeyResult {
    }
}
