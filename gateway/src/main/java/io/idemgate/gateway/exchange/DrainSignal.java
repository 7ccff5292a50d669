package io.idemgate.gateway.exchange;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shutdown's view of the exchanges. Set once when the gateway starts draining: from then on no
 * connection is kept alive, so each client connection closes as soon as its exchange ends. It also
 * counts running upstream exchanges, including idempotent executions whose client has gone, so that
 * shutdown can wait for their records to be settled.
 */
public final class DrainSignal {

    private static final long POLL_MILLIS = 10;

    private volatile boolean draining;
    // Touched twice per exchange on every event loop; shutdown polls it rather than being notified, so the
    // hot path is one uncontended atomic add instead of a monitor.
    private final AtomicInteger active = new AtomicInteger();

    public void start() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    void exchangeStarted() {
        active.incrementAndGet();
    }

    void exchangeEnded() {
        active.decrementAndGet();
    }

    /**
     * Waits, off the event loops, until no exchange runs or {@code millis} pass, looking every
     * {@value #POLL_MILLIS} ms. @return true if none runs
     */
    public boolean awaitIdle(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (active.get() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
        }
        return true;
    }
}
