package io.idemgate.gateway.store.memory;

/**
 * A claim for a new key failed because every one of the store's {@code maxEntries} records is in flight
 * and none may be evicted. Transient: the gateway answers 503 with {@code Retry-After}.
 */
public final class StoreFullException extends RuntimeException {

    public StoreFullException(int maxEntries) {
        // No stack trace: this is load shedding, not a bug, and may be thrown at a high rate.
        super("memory store full: all " + maxEntries + " records are in flight", null, false, false);
    }
}
