package io.idemgate.gateway.idempotency;

/**
 * How a route treats a retry that finds its key busy or in doubt.
 *
 * @param waitForInFlight {@code concurrent = wait}: wait for the first request and replay its answer;
 *                        otherwise answer 409 at once
 */
public record ConcurrencyPolicy(boolean waitForInFlight) {
}
