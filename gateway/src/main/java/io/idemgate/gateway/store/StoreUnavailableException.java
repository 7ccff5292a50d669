package io.idemgate.gateway.store;

/**
 * The store is known to be unreachable, so the call was refused without trying it (an open
 * {@link CircuitBreakingStore}). Stackless: it is thrown on every request while the store is down.
 */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message) {
        super(message, null, false, false);
    }
}
