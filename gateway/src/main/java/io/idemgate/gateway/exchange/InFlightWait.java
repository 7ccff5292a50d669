package io.idemgate.gateway.exchange;

import io.idemgate.gateway.store.IdempotencyStore;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * A duplicate's wait for the attempt in flight: a store future plus one timer, parked on the event
 * loop, no thread. One overall deadline spans every round (a wake-up that finds the key still in
 * flight waits again for what is left). Used on one event loop.
 */
final class InFlightWait {

    private final EventExecutor loop;
    private final IdempotencyStore store;
    private final String id;
    private final long timeoutNanos;
    private final IntConsumer parked;
    private long start;
    private long deadline;
    private CompletableFuture<Void> change;
    private ScheduledFuture<?> timer;

    /** @param parked told +1 when a round of waiting starts and -1 when it ends (the waiting gauge) */
    InFlightWait(EventExecutor loop, IdempotencyStore store, String id, Duration timeout, IntConsumer parked) {
        this.loop = loop;
        this.store = store;
        this.id = id;
        this.timeoutNanos = timeout.toNanos();
        this.parked = parked;
    }

    /**
     * Waits for the record to change, then runs {@code onChange}; or, when the overall deadline
     * passes first, runs {@code onTimeout}. Both run on the loop, at most one of them, once.
     */
    void await(Runnable onChange, Runnable onTimeout) {
        long now = System.nanoTime();
        if (start == 0) {
            start = now;
            deadline = now + timeoutNanos;
        }
        long left = deadline - now;
        if (left <= 0) {
            onTimeout.run();
            return;
        }
        CompletableFuture<Void> c = store.awaitChange(id);
        change = c;
        parked.accept(1);
        timer = loop.schedule(() -> {
            if (change == c) {
                cancel();
                onTimeout.run();
            }
        }, left, TimeUnit.NANOSECONDS);
        c.whenComplete((v, e) -> loop.execute(() -> {
            if (change == c) {
                cancel();
                onChange.run();
            }
        }));
    }

    /** Stops waiting; the store forgets the waiter. */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (change != null) {
            CompletableFuture<Void> c = change;
            change = null;
            parked.accept(-1);
            c.cancel(false);
        }
    }

    boolean started() {
        return start != 0;
    }

    long waitedNanos() {
        return System.nanoTime() - start;
    }
}
