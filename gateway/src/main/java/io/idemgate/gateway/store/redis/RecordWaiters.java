package io.idemgate.gateway.store.redis;

import io.idemgate.gateway.store.Waiters;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waiters of records on Redis. The owner's script publishes the record id on {@code <prefix>events} and
 * the store's subscription {@link #wake wakes} them; a waiter registers, then checks the record, so a change
 * between its claim and its registration is not missed. A lost message (reconnect) is covered by a
 * {@link #recheck} of at most {@value #MAX_RECHECKS_PER_PASS} ids per pass.
 *
 * <p>Threading: any thread.
 */
final class RecordWaiters {

    private static final int MAX_RECHECKS_PER_PASS = 1_000;
    private static final Logger log = LoggerFactory.getLogger(RecordWaiters.class);

    private final Waiters waiters = new Waiters();
    /** Whether a record is still in flight with a running lease (and marks it watched). */
    private final Function<String, CompletableFuture<Boolean>> inFlight;

    RecordWaiters(Function<String, CompletableFuture<Boolean>> inFlight) {
        this.inFlight = inFlight;
    }

    CompletableFuture<Void> register(String id) {
        CompletableFuture<Void> change = waiters.register(id);
        // Registered (and subscribed since construction) first, then look: a change after the look is
        // published to us, one before it is seen by the look.
        inFlight.apply(id).whenComplete((running, failure) -> {
            if (failure != null) {
                change.completeExceptionally(failure);
            } else if (!running) {
                change.complete(null);
            }
        });
        return change;
    }

    void wake(String id) {
        waiters.wake(id);
    }

    /** The bounded fallback: wakes waiters whose record is no longer in flight, published or not. */
    void recheck() {
        try {
            for (String id : waiters.ids(MAX_RECHECKS_PER_PASS)) {
                inFlight.apply(id).thenAccept(running -> {
                    if (!running) {
                        waiters.wake(id);
                    }
                });
            }
        } catch (RuntimeException e) {
            // A failed pass must not cancel the schedule; the next pass retries.
            log.warn("redis store re-check failed", e);
        }
    }

    void failAll(Throwable failure) {
        waiters.failAll(failure);
    }

    int count() {
        return waiters.count();
    }
}
