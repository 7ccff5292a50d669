package io.idemgate.gateway.idempotency;

/**
 * How a route treats a retry that finds its key busy or in doubt.
 *
 * @param waitForInFlight {@code concurrent = wait}: wait for the first request and replay its answer;
 *                        otherwise answer 409 at once
 * @param rejectUnknown {@code outcome-unknown = reject} (at most once): the exchange asks the store not to
 *                      take over an outcome-unknown key, so retries get 409 until an operator purges it
 */
public record ConcurrencyPolicy(boolean waitForInFlight, boolean rejectUnknown) {
}
