package io.idemgate.gateway.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Whether the gateway can serve traffic (SPEC §4: the store answers). Asynchronous because the natural check
 * is a store round trip, and it is called on an event loop; a check that takes longer than two seconds
 * counts as not ready.
 */
@FunctionalInterface
public interface ReadinessCheck {

    CompletionStage<Readiness> check();

    /** A check that always gives the same answer; for tests and stores that cannot fail. */
    static ReadinessCheck always(Readiness readiness) {
        CompletableFuture<Readiness> answer = CompletableFuture.completedFuture(readiness);
        return () -> answer;
    }
}
