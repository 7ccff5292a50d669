package io.idemgate.gateway.store.memory;

/**
 * A claim for a new key failed because the memory store is at its {@code max-entries} or {@code max-bytes}
 * and no record has expired: live records are never dropped to make room (SPEC §2). A store failure: the
 * route answers by its {@code on-store-failure} (fail-closed: 503 with {@code Retry-After}).
 */
public final class StoreFullException extends RuntimeException {

    public StoreFullException(int records, long bytes) {
        // No stack trace: this is load shedding, not a bug, and may be thrown at a high rate.
        super("memory store full: " + records + " live records, ~" + bytes + " bytes; none expired", null, false,
                false);
    }
}
