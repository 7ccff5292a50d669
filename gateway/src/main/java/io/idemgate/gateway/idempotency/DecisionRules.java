package io.idemgate.gateway.idempotency;

import java.util.function.IntPredicate;

/**
 * A route's settings that the {@link Decisions} rules read, compiled once from its config.
 *
 * @param keyRequired a request without a key is refused (400) instead of passed through
 * @param shadow shadow mode: record and count, never refuse or replay
 * @param waitForInFlight {@code concurrent = wait}: a duplicate waits for the first attempt and replays
 *                        its answer; otherwise it is answered 409 at once
 * @param storeStatus response statuses that are recorded ({@code store-status})
 * @param releaseStatus response statuses that release the key instead, winning over {@code storeStatus}
 */
public record DecisionRules(boolean keyRequired, boolean shadow, boolean waitForInFlight,
                            IntPredicate storeStatus, IntPredicate releaseStatus) {
}
